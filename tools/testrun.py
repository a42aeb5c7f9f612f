"""``make test``: run the suite on SQLite, then on PostgreSQL.

PostgreSQL is reached at ``PORTAL_TEST_POSTGRES_URL`` (default: the local server,
user ``postgres``). Where it does not answer, the PostgreSQL half is skipped and said so,
unless ``PORTAL_TEST_REQUIRE_POSTGRES=1`` (CI), which makes that a failure. Extra
arguments go to pytest.
"""
from __future__ import annotations

import os
import subprocess
import sys

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def postgres_reachable(url: str) -> tuple[bool, str]:
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            version = conn.exec_driver_sql("show server_version").scalar()
        engine.dispose()
        return True, version
    except Exception as exc:  # noqa: BLE001 - reported to the user
        return False, str(exc).splitlines()[0]


def run(kind: str, args: list[str]) -> int:
    env = dict(os.environ, PORTAL_TEST_DATABASE=kind)
    print(f"\n==== test suite on {kind} ====", flush=True)
    return subprocess.call([sys.executable, "-m", "pytest", *args], env=env)


def main(argv: list[str]) -> int:
    require = os.environ.get("PORTAL_TEST_REQUIRE_POSTGRES") in ("1", "true", "yes")
    pg_url = os.environ.get("PORTAL_TEST_POSTGRES_URL", DEFAULT_PG)
    os.environ["PORTAL_TEST_POSTGRES_URL"] = pg_url
    rc = run("sqlite", argv)
    ok, info = postgres_reachable(pg_url)
    if not ok:
        print(f"\n==== PostgreSQL not reached ({info}) ====")
        if require:
            print("PORTAL_TEST_REQUIRE_POSTGRES is set: failing.")
            return 1
        print("Only the SQLite half ran. Set PORTAL_TEST_POSTGRES_URL to run the PostgreSQL half.")
        return rc
    print(f"\n==== PostgreSQL {info} reached ====")
    rc_pg = run("postgres", argv)
    return rc or rc_pg


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
