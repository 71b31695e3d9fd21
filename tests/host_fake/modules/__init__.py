"""A faithful stand-in for the parts of the WebUI's ``modules`` package Embedding Deck uses.

Names and signatures follow A1111 1.10.1 (checked by tests/app/test_host_fake_in_sync.py
against host_api.json, which lists them as read from the host source). Behaviour is the
host's where we depend on it: callbacks are stored and run by the host, options need a
section, the embedding database reloads on request.
"""
