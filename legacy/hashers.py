"""Password hashes of the original system: bcrypt (`$2a$` from bcryptjs, `$2b$` from node bcrypt).

Adoption stores them as Django's `bcrypt$<hash>`; this hasher checks them, and since it is not the
first of PASSWORD_HASHERS, Django re-hashes the password with the preferred hasher at the user's
first successful login. Like the original's libraries, bcrypt reads only the first 72 bytes of a
password; the `bcrypt` package refuses longer ones instead, so they are cut here the same way (a
long password then still logs in, and never raises).
"""

from django.contrib.auth.hashers import BCryptPasswordHasher

BCRYPT_MAX_BYTES = 72


class OriginalBCryptPasswordHasher(BCryptPasswordHasher):
    def encode(self, password, salt):
        bcrypt = self._load_library()
        data = bcrypt.hashpw(password.encode()[:BCRYPT_MAX_BYTES], salt)
        return f"{self.algorithm}${data.decode('ascii')}"
