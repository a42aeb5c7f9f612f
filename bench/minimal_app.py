"""The plain baseline of ``bench/startup.py``: Flask + Flask-SQLAlchemy, one model, one route."""
from __future__ import annotations

from flask import Flask
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()


class Claim(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(32), nullable=False)


def create_app() -> Flask:
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = "sqlite://"
    db.init_app(app)

    @app.get("/")
    def claims():
        return {"claims": db.session.scalar(db.select(db.func.count(Claim.id)))}

    return app
