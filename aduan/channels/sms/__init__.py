"""SMS gateways posting to aduan: Twilio, Vonage, Africa's Talking, Kannel, generic JSON.

One small parser per gateway (``twilio.py``, ``vonage.py``,
``africastalking.py``, ``kannel.py``, ``generic.py``) on the shared base in
``base.py``; ``channel.py`` holds the ``sms`` push channel that picks the
parser by each instance's ``gateway`` key. Adding a gateway: one module with
its config model and parser (the parser names the model), and one line in
``channel.GATEWAYS``.
"""

from aduan.channels.sms.channel import GATEWAYS, SmsChannel

__all__ = ["GATEWAYS", "SmsChannel"]
