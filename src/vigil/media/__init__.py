"""Media triage without exposure: hashers, hash sets, matching, AI-generation markers, blur.

Everything here is pure: functions take bytes (or, for video, a path the FFmpeg decoder reads)
and return data. Storing results, logging exposure and reading the clock belong to services.
See docs/media.md.
"""
