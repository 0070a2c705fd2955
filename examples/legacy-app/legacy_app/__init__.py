"""Garden Rewards: a Banno plugin that shows a member's rewards balance."""

import logging

from flask import Flask

from . import settings


def create_app():
    app = Flask(__name__)
    app.config.from_object(settings)
    logging.basicConfig(level=logging.INFO)

    from .auth import bp as auth_bp

    app.register_blueprint(auth_bp)
    app.logger.info("banno integration ready for %s", settings.BANNO_HOST)
    return app
