"""drf-sso's decode_jwt_token throughput (PyJWT 2.15.1, key file re-read per token as the
server does), on the bench token. Prints JSON. Run with the parity venv's python."""
import datetime, json, os, sys, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
token = sys.argv[1]  # minted at the real current time: no clock freezing needed
import django
from django.conf import settings

s = json.load(open(os.path.join(root, "keys/settings.json")))
s["KEY_STORE_ROOT"] = os.path.join(root, "keys")
for k in ("AUTHORIZATION_EXPIRATION", "SESSION_EXPIRATION"):
    if s.get(k) is not None:
        s[k] = datetime.timedelta(seconds=s[k])
settings.configure(REST_FRAMEWORK_SSO=s, INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "rest_framework_sso"], USE_TZ=True)
django.setup()
from rest_framework_sso.utils import decode_jwt_token

decode_jwt_token(token)
rates = []
for _ in range(5):
    n, t0 = 300, time.perf_counter()
    for _ in range(n):
        decode_jwt_token(token)
    rates.append(n / (time.perf_counter() - t0))
rates.sort()
print(json.dumps({"pyjwt_decode_jwt_token_per_s": round(rates[len(rates) // 2])}))
