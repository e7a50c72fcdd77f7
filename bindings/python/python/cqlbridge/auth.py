"""Authentication, named as in ``cassandra.auth``."""

__all__ = ["AuthProvider", "PlainTextAuthProvider"]


class AuthProvider:
    """Base of authentication providers. Only username/password (PasswordAuthenticator) is
    supported by the core; other providers raise when the cluster connects."""


class PlainTextAuthProvider(AuthProvider):
    """Username and password, for Cassandra's PasswordAuthenticator."""

    def __init__(self, username=None, password=None):
        self.username = username
        self.password = password
