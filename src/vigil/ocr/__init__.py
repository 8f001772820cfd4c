"""Chat screenshots read into transcripts (issue 18, item 3), pure: no files, clock or database.

``layouts`` (what each platform's chat screen looks like), ``image`` (finding bubbles, lines and
labels by colour and geometry with NumPy), ``labels`` (clock times and day separators as shown),
``engine`` (the OCR engine protocol; ``tesseract`` is the one adapter), ``read`` (one screenshot
into items), ``merge`` (overlapping screenshots into one stream), ``transcript`` (items into a
conversation), ``metrics`` (character error rate, sender and time accuracy).

A transcript is a lead for a trained person to check against the screenshots, never a verdict.
"""
