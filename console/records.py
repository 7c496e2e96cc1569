"""The language of the shared records.

Chinese is the working language. What the program itself writes into the records — duty-log
lines, timeline lines, intake texts, attachment titles, alarm texts — is read by every seat and
kept as an official record, so it is stored in Chinese whatever language a seat's interface
shows. Such texts go through :func:`record_text` instead of ``QCoreApplication.translate``:
they are not offered for translation, and a reader sees at once that the text is stored.
Messages only shown to the user stay translated.
"""

from __future__ import annotations


def record_text(text: str) -> str:
    """``text`` as the records keep it: Chinese, never translated."""
    return text
