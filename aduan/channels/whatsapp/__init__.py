"""WhatsApp: Meta's Cloud API (webhooks, media, replies) and Twilio's WhatsApp.

``channel.py`` holds the ``whatsapp`` channel, ``config.py`` its settings,
``payloads.py`` the Cloud API's webhook body (split and read), ``graph.py``
the Graph API calls, ``send.py`` the replies and the 24-hour window,
``twilio.py`` Twilio's WhatsApp webhook.
"""

from aduan.channels.whatsapp.channel import CloudWhatsApp, TwilioWhatsApp, WhatsAppChannel

__all__ = ["CloudWhatsApp", "TwilioWhatsApp", "WhatsAppChannel"]
