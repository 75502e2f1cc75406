"""Token templates shared by bench/secrets-corpus.py (and used once to fill rule examples).

Template syntax: `{X:n}` expands to n random characters of class X, `{X:n-m}` to between n and m.
Classes: A upper+digits, a lower+digits, h hex lower, H hex upper, b base62, B base64 (+/),
u url-safe base64 (_-), d digits, U upper, l lower, L letters, 2 base32 (A-Z2-7), c bech32.
"""
import random
import re

CLASSES = {
    "A": "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
    "a": "abcdefghijklmnopqrstuvwxyz0123456789",
    "h": "0123456789abcdef",
    "H": "0123456789ABCDEF",
    "b": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    "B": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/",
    "u": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
    "d": "0123456789",
    "U": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "l": "abcdefghijklmnopqrstuvwxyz",
    "L": "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
    "2": "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
    "c": "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L",
}

_PAT = re.compile(r"\{([A-Za-z0-9]):(\d+)(?:-(\d+))?\}")


def expand(template, rng):
    def one(m):
        cls, lo, hi = m.group(1), int(m.group(2)), m.group(3)
        n = rng.randint(lo, int(hi)) if hi else lo
        alphabet = CLASSES[cls]
        while True:
            s = "".join(rng.choice(alphabet) for _ in range(n))
            # avoid accidental placeholder-looking runs
            if "xxxx" not in s.lower() and "example" not in s.lower():
                return s
    return _PAT.sub(one, template)


def pem_body(rng, lines=12):
    return "\n".join(expand("{B:64}", rng) for _ in range(lines))


# rule id -> list of line templates (each a realistic line of source/config containing the secret)
TEMPLATES = {
    "aws-access-key-id": ['aws_access_key_id = "AKIA{2:16}"', 'AWS_ACCESS_KEY_ID=ASIA{2:16}'],
    "aws-secret-access-key": ['aws_secret_access_key = "{b:40}"', 'AWS_SECRET_ACCESS_KEY: {b:40}'],
    "gcp-api-key": ['const key = "AIza{u:35}";'],
    "gcp-service-account-key-id": ['  "private_key_id": "{h:40}",'],
    "gcp-oauth-client-secret": ['client_secret: "GOCSPX-{u:28}"'],
    "azure-storage-account-key": ['conn = "DefaultEndpointsProtocol=https;AccountName=acct{a:6};AccountKey={B:86}==;EndpointSuffix=core.windows.net"'],
    "azure-shared-access-key": ['Endpoint=sb://ns{a:6}.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey={B:43}='],
    "azure-ad-client-secret": ['AZURE_CLIENT_SECRET={b:3}8Q~{u:34}'],
    "azure-sas-token": ['url = "https://acct.blob.core.windows.net/c?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&sig={b:43}%3D"'],
    "github-pat": ['GITHUB_TOKEN=ghp_{b:36}'],
    "github-oauth-token": ['token = "gho_{b:36}"'],
    "github-app-token": ['installation_token: ghs_{b:36}', 'user_to_server = "ghu_{b:36}"'],
    "github-refresh-token": ['refresh = "ghr_{b:76}"'],
    "github-fine-grained-pat": ['export GH_TOKEN=github_pat_{b:22}_{b:59}'],
    "gitlab-pat": ['private_token = "glpat-{u:20}"'],
    "gitlab-deploy-token": ['password: gldt-{u:20}'],
    "gitlab-runner-token": ['token = "glrt-{u:20}"'],
    "gitlab-runner-registration-token": ['registration-token: GR1348941{u:20}'],
    "gitlab-ci-job-token": ['CI_JOB_TOKEN=glcbt-{b:2}_{u:20}'],
    "gitlab-pipeline-trigger-token": ['TRIGGER_TOKEN="glptt-{h:40}"'],
    "gitlab-oauth-app-secret": ['secret: gloas-{h:64}'],
    "gitlab-feed-token": ['feed_token = "glft-{u:20}"'],
    "bitbucket-app-password": ['BITBUCKET_APP_PASSWORD=ATBB{b:32}{H:8}'],
    "atlassian-api-token": ['JIRA_TOKEN=ATATT3xFfGF0{u:170}={H:8}'],
    "npm-access-token": ['//registry.npmjs.org/:_authToken=npm_{b:36}'],
    "npmrc-auth-token": ['//npm.pkg.example-corp.io/:_authToken={u:40}'],
    "pypi-upload-token": ['password = pypi-AgEIcHlwaS5vcmc{u:70}'],
    "rubygems-api-key": ['GEM_HOST_API_KEY="rubygems_{h:48}"'],
    "crates-io-token": ['CARGO_REGISTRY_TOKEN=cio{b:32}'],
    "dockerhub-pat": ['DOCKER_PASSWORD=dckr_pat_{u:27}'],
    "nuget-api-key": ['nuget push -ApiKey oy2{a:43}'],
    "slack-bot-token": ['SLACK_BOT_TOKEN=xoxb-{d:11}-{d:13}-{b:24}'],
    "slack-user-token": ['slack_token = "xoxp-{d:11}-{d:11}-{d:13}-{h:32}"'],
    "slack-app-token": ['SLACK_APP_TOKEN=xapp-1-A{A:10}-{d:13}-{h:64}'],
    "slack-webhook-url": ['webhook = "https://hooks.slack.com/services/T{A:10}/B{A:10}/{b:24}"'],
    "discord-webhook-url": ['url: https://discord.com/api/webhooks/{d:18}/{u:68}'],
    "discord-bot-token": ['DISCORD_TOKEN=M{b:25}.{u:6}.{u:38}'],
    "stripe-secret-key": ['stripe.api_key = "sk_live_{b:99}"', 'STRIPE_KEY=rk_live_{b:24}'],
    "stripe-webhook-secret": ['STRIPE_WEBHOOK_SECRET=whsec_{b:32}'],
    "twilio-api-key": ['TWILIO_API_KEY=SK{h:32}'],
    "twilio-auth-token": ['twilio_auth_token = "{h:32}"'],
    "sendgrid-api-key": ['SENDGRID_API_KEY=SG.{u:22}.{u:43}'],
    "mailgun-api-key": ['MAILGUN_API_KEY=key-{h:32}'],
    "mailchimp-api-key": ['MAILCHIMP_KEY="{h:32}-us{d:2}"'],
    "shopify-token": ['SHOPIFY_ACCESS_TOKEN=shpat_{h:32}', 'shared_secret: shpss_{h:32}'],
    "datadog-api-key": ['DD_API_KEY={h:32}', 'datadog_api_key: "{h:32}"'],
    "datadog-app-key": ['DD_APP_KEY={h:40}'],
    "openai-api-key": ['OPENAI_API_KEY=sk-proj-{u:74}T3BlbkFJ{u:74}', 'openai.api_key = "sk-{b:20}T3BlbkFJ{b:20}"'],
    "anthropic-api-key": ['ANTHROPIC_API_KEY=sk-ant-api03-{u:93}AA'],
    "vault-token": ['VAULT_TOKEN=hvs.{u:91}', 'vault_token = "hvb.{u:138}"'],
    "terraform-cloud-token": ['token = "{b:14}.atlasv1.{u:67}"'],
    "private-key": ['-----BEGIN RSA PRIVATE KEY-----\n@PEM@\n-----END RSA PRIVATE KEY-----', '-----BEGIN PRIVATE KEY-----\n@PEM@\n-----END PRIVATE KEY-----'],
    "openssh-private-key": ['-----BEGIN OPENSSH PRIVATE KEY-----\n@PEM@\n-----END OPENSSH PRIVATE KEY-----'],
    "pgp-private-key-block": ['-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n@PEM@\n={B:4}\n-----END PGP PRIVATE KEY BLOCK-----'],
    "jwt": ['Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ{u:60}.{u:43}'],
    "database-url-password": ['DATABASE_URL=postgres://app:{b:20}@db.internal:5432/app', 'mongo_uri = "mongodb+srv://svc:{b:18}@cluster0.mongodb.net/prod"'],  # vouch:allow (benchmark template, not a credential)
    "broker-url-password": ['REDIS_URL=redis://default:{b:24}@cache.internal:6379/0', 'amqp_url: amqps://worker:{b:20}@mq.internal:5671/vhost'],  # vouch:allow (benchmark template, not a credential)
    "url-basic-auth": ['mirror = "https://deploy:{b:20}@artifacts.internal/repo"'],
    "generic-password": ['db_password = "{b:16}"', '    "password": "{b:20}",'],
    "env-password": ['MYSQL_ROOT_PASSWORD={b:20}'],
    "generic-secret": ['client_secret = "{b:32}"', 'apiKey: "{b:40}"'],
    "heroku-api-key": ['HEROKU_API_KEY={h:8}-{h:4}-{h:4}-{h:4}-{h:12}', 'heroku_token = "HRKU-{u:60}"'],
    "digitalocean-token": ['DIGITALOCEAN_TOKEN=dop_v1_{h:64}'],
    "linear-api-key": ['LINEAR_API_KEY=lin_api_{b:40}'],
    "postman-api-key": ['POSTMAN_API_KEY=PMAK-{h:24}-{h:34}'],
    "new-relic-user-key": ['NEW_RELIC_API_KEY=NRAK-{A:27}'],
    "sentry-auth-token": ['SENTRY_AUTH_TOKEN=sntryu_{h:64}'],
    "grafana-token": ['GRAFANA_TOKEN=glsa_{b:32}_{h:8}'],
    "huggingface-token": ['HF_TOKEN=hf_{L:34}'],
    "age-secret-key": ['AGE-SECRET-KEY-1{c:58}'],
    "square-access-token": ['SQUARE_ACCESS_TOKEN=EAAA{u:60}', 'square_secret = "sq0csp-{u:43}"'],
    "telegram-bot-token": ['TELEGRAM_BOT_TOKEN={d:10}:AA{u:33}'],
    "doppler-token": ['DOPPLER_TOKEN=dp.st.{b:43}'],
    "pulumi-access-token": ['PULUMI_ACCESS_TOKEN=pul-{h:40}'],
    "databricks-token": ['DATABRICKS_TOKEN=dapi{h:32}'],
    "alibaba-access-key-id": ['ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI{b:20}'],
    "mapbox-secret-token": ['MAPBOX_TOKEN=sk.eyJ{u:70}.{u:22}'],
    "brevo-api-key": ['BREVO_API_KEY=xkeysib-{h:64}-{b:16}'],
    "planetscale-token": ['PLANETSCALE_TOKEN=pscale_tkn_{u:43}'],
}
