"""Case-work records, one module each: units, operations, personas, authorisations,
suspects, children, offences, outcomes, referrals; ``common`` holds what they share.
Every create or update writes a custody/audit entry in the same transaction."""
