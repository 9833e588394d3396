"""python-okx doing what `okxlink verify --json` is compared with: read the account config and the
balance (two requests, one after the other), as a whole process. Credentials from OKX_API_KEY,
OKX_SECRET_KEY, OKX_PASSPHRASE; the server from BENCH_OKX_URL (the simulator's okx_url). Exit 0
when both answered code 0.

    OKX_API_KEY=… OKX_SECRET_KEY=… OKX_PASSPHRASE=… BENCH_OKX_URL=http://127.0.0.1:PORT \\
        python bench/pyokx_verify.py
"""

import os
import sys

from okx import Account

api = Account.AccountAPI(api_key=os.environ["OKX_API_KEY"], api_secret_key=os.environ["OKX_SECRET_KEY"],
                         passphrase=os.environ["OKX_PASSPHRASE"], flag="0", domain=os.environ["BENCH_OKX_URL"],
                         debug=False)
config = api.get_account_config()
balance = api.get_account_balance()
sys.exit(0 if config["code"] == "0" and balance["code"] == "0" else 1)
