# BM009: the handler is registered in an app factory whose body holds no trigger of BM009.
from flask import Flask, request


def exchange_token(code):
    return {"code": code}


def callback():
    return exchange_token(request.args["code"])


def create_app():
    app = Flask(__name__)
    app.add_url_rule("/oauth/callback", view_func=callback)
    return app


def display_name(user):
    return user.name.title()
