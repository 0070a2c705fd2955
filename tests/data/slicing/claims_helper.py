# BM005: claims decoded in one function, read in another (BM005 keeps every body).
import jwt


def decode(token, key):
    return jwt.decode(token, key, algorithms=["RS256"], audience="client")


def institution_of(token, key):
    claims = decode(token, key)
    return claims["institution_id"]
