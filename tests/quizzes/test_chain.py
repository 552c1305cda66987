"""The HMAC chain a device sends with an attempt's events: any change, reorder, cut or other key fails."""
from lms.core.encoding import b64url
from lms.quizzes import chain


def test_the_chain_of_the_events_verifies_and_any_change_does_not(app):
    with app.app_context():
        key = chain.chain_key("seat", 7)
        events = ['{"k":"unlock","t":0}', '{"k":"answer","t":1200,"q":3,"a":"2","s":1}', '{"k":"submit","t":9000}']
        sent = b64url(chain.chain_of(key, events))
        assert chain.verifies(key, events, sent)
        assert not chain.verifies(key, events[:2], sent)
        assert not chain.verifies(key, [events[1], events[0], events[2]], sent)
        assert not chain.verifies(key, [events[0], events[1].replace('"2"', '"3"'), events[2]], sent)
        assert not chain.verifies(chain.chain_key("seat", 8), events, sent)
        assert not chain.verifies(chain.chain_key("attempt", 7), events, sent)
        assert not chain.verifies(key, events, "not base64!")


def test_the_key_comes_from_the_secret_so_every_server_derives_the_same(app):
    with app.app_context():
        first = chain.chain_key("attempt", 1)
        assert first == chain.chain_key("attempt", 1)
        app.config["SECRET_KEY"] = "another secret"
        assert chain.chain_key("attempt", 1) != first
