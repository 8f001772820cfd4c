"""Case work as data and pure rules: authorisations, risk forms, offence taxonomy, referrals.

Nothing here touches the database, files (other than reading the packaged YAML on request)
or the clock: services in :mod:`vigil.services.casework` do the I/O.
"""
