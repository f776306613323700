"""The course content library's operations.

Two kinds of module. The acts, one function per thing a person does on a library page,
each opening its own transaction on the engine it is given: :mod:`.authoring` (write,
edit, publish, delete, files, history, the item page), :mod:`.browsing` (the index, the
feed, notifications), :mod:`.discussion` (comments, votes, follows, topic requests),
:mod:`.staff` (flags, moderation, sharing) and :mod:`.placement` (the LMS activity
kind). They compose the rules and rows of the others (:mod:`.items`,
:mod:`.attachments`, :mod:`.comments`, :mod:`.votes`, :mod:`.moderation`, ...), which
take the caller's connection and run in its transaction. None imports Flask or the
web layer.
"""
