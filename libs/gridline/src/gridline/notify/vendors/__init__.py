"""One adapter per vendor, each on the vendor's documented HTTP API (httpx, async), chosen by settings.

Each answers one attempt with an `Outcome`; the sender owns retries. Transient (`retry`): the network, a
5xx, the vendor's flow control. Permanent (`failed`): a refused number, template, signature or credential.
"""
