# Sourced by scripts/test and .ci/run: install_and_test VENV GROUP [pytest args…]
# What is audited is what is tested: the development tools first (they may pull other versions of
# packages okxlink shares with them: ccxt pins its own cffi and idna, which pip then reports as a
# conflict), then requirements.lock, the runtime and [sim] pins pip-audit checks, so that they
# win; then okxlink itself, resolving nothing more. tests/test_static.py checks that every pin of
# the lock is what is installed.
install_and_test() {
  local venv=$1 group=$2
  shift 2
  "$venv/bin/python" -m pip install -q --upgrade pip  # --group needs pip 25.1 or later
  "$venv/bin/python" -m pip install -q --group "$group"
  "$venv/bin/python" -m pip install -q -r requirements.lock
  "$venv/bin/python" -m pip install -q --no-deps -e .
  "$venv/bin/python" -m pytest "$@"
}
