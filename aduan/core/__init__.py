"""What every part of aduan stands on, importing no other part of it.

:mod:`.messages` (the raw and parsed message model, cursors, attachments),
:mod:`.clock` (time), :mod:`.identity` (reporter identities and phone numbers),
:mod:`.errors` (the error tree), :mod:`.logs` (structured logs that mask personal
data), :mod:`.privacy` (the one masking rule of public surfaces), :mod:`.disclosure`
(what each public surface may show, and to whom) and :mod:`.heap` (the collector's
pace in long batch loops).
"""
