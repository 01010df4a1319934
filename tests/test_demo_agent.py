"""The sandbox's demo agent: created in the agents group, and only in sandbox mode."""

import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from lookup.access import AGENTS_GROUP
from lookup.management.commands.create_demo_agent import DEMO_USERNAME
from lookup.models import LOOK_UP_CUSTOMERS

ROOT = Path(__file__).resolve().parent.parent


def create_demo_agent() -> str:
    """Run the command and return the password it prints."""
    output = StringIO()
    call_command("create_demo_agent", stdout=output)
    match = re.search(r"password (\S+)", output.getvalue())
    assert match, output.getvalue()
    return match[1]


@pytest.mark.django_db
def test_demo_agent_joins_agents_group():
    password = create_demo_agent()

    user = get_user_model().objects.get(username=DEMO_USERNAME)
    assert list(user.groups.values_list("name", flat=True)) == [AGENTS_GROUP]
    assert user.has_perm(LOOK_UP_CUSTOMERS)
    assert not user.is_staff
    assert authenticate(username=DEMO_USERNAME, password=password) == user


@pytest.mark.django_db
def test_demo_agent_rerun_resets_password():
    first = create_demo_agent()
    second = create_demo_agent()

    assert first != second
    assert get_user_model().objects.filter(username=DEMO_USERNAME).count() == 1
    assert authenticate(username=DEMO_USERNAME, password=first) is None
    assert authenticate(username=DEMO_USERNAME, password=second) is not None


def test_demo_agent_rejected_with_real_primedata(tmp_path):
    # The settings read PRIMEDATA_BASE_URL at start-up, so the command runs
    # in a fresh process with it set. Nothing connects to that address.
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "customer360.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "PRIMEDATA_BASE_URL": "https://api.primedata.invalid",
        "PRIMEDATA_API_KEY": "pd_test_not_used",
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "create_demo_agent"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode != 0
    assert "PRIMEDATA_BASE_URL is set" in result.stderr
    assert "password" not in result.stdout
