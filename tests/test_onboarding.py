"""`meldroute school create` and `meldroute user create`: from an empty database to a first login,
without demo data and without a password on the command line."""
from __future__ import annotations

from sqlalchemy import select

from tests.support.web import WebUser
from webapp.auth.models import User
from webapp.cli import school_create, user_create
from webapp.definitions.models import ProcessDefinition
from webapp.schools.models import School

PASSWORD = "een-lang-beheerderswachtwoord"


def test_a_new_board_gets_a_school_and_a_first_beheerder_who_logs_in(app, session):
    runner = app.test_cli_runner()
    made = runner.invoke(school_create, ["--bestuur", "Stichting Noord", "--naam", "De Linde",
                                         "--kort", "de-linde", "--variant", "basismodel_2019"])
    assert made.exit_code == 0, made.output
    assert "versie 1" in made.output
    school = session.scalar(select(School).where(School.slug == "de-linde"))
    assert school.board.name == "Stichting Noord"
    assert session.scalars(select(ProcessDefinition).where(ProcessDefinition.school_id == school.id)).all()

    user = runner.invoke(user_create, ["--email", "beheer@de-linde.nl", "--naam", "Beheer",
                                       "--school", "de-linde"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert user.exit_code == 0, user.output
    assert PASSWORD not in user.output
    assert WebUser(app).login("beheer@de-linde.nl", PASSWORD).status_code == 302


def test_mistakes_are_explained_in_dutch(app, session):
    runner = app.test_cli_runner()
    unknown = runner.invoke(school_create, ["--naam", "X", "--kort", "x", "--variant", "bestaat-niet"])
    assert unknown.exit_code != 0 and "onbekende variant" in unknown.output
    no_school = runner.invoke(user_create, ["--email", "a@b.nl", "--naam", "A", "--school", "x"],
                              input=f"{PASSWORD}\n{PASSWORD}\n")
    assert no_school.exit_code != 0 and "geen school" in no_school.output
    runner.invoke(school_create, ["--naam", "De Linde", "--kort", "de-linde", "--variant", "basismodel_2019"])
    short = runner.invoke(user_create, ["--email", "a@b.nl", "--naam", "A", "--school", "de-linde"],
                          input="kort\nkort\n")
    assert short.exit_code != 0 and "minstens 12 tekens" in short.output
    # long enough, yet common, or made of the school's own name: refused by the password policy
    for weak in ("Wachtwoord2026!", "delinde12345"):
        refused = runner.invoke(user_create, ["--email", "a@b.nl", "--naam", "A", "--school", "de-linde"],
                                input=f"{weak}\n{weak}\n")
        assert refused.exit_code != 0 and "te makkelijk te raden" in refused.output, weak
    assert session.scalar(select(User).where(User.email == "a@b.nl")) is None
