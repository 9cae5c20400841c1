"""SMS beside Telegram (issue 24): a sender behind one Protocol (`sender.py`), SMS Gateway for
Android as its first implementation (`gateway.py`), the gateway's signed webhooks read in
`inbound.py`, and what a text costs in segments (`segments.py`)."""
