"""Two-factor sign-in through allauth's MFA: the authenticator app's key is stored encrypted, not in the clear."""

from allauth.mfa.adapter import DefaultMFAAdapter

from accounts import secrets


class EncryptingMFAAdapter(DefaultMFAAdapter):
    # allauth calls these around every stored TOTP key (and recovery-code seed).
    def encrypt(self, text: str) -> str:
        return secrets.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return secrets.decrypt(encrypted_text)
