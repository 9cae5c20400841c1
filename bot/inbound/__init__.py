"""The public listener's front ends (issue 24): WhatsApp's and the SMS gateway's webhooks.

They sit beside the Telegram handlers and the dashboard: each checks that the call is really
the channel's (a signature over the exact body, a fresh timestamp), counts each event once,
and hands what a person wrote to bot/services/phone_answers.py and what a channel says of a
message to bot/services/deliveries.py, a unit of work per event.
"""
