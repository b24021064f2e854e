"""The product's settings with the benches' floor views added to its URLs (floor_urls):
`DJANGO_SETTINGS_MODULE=floor_settings`, with bin/ on PYTHONPATH (bench.floor_env)."""

from norsjo.settings import *  # noqa: F403

ROOT_URLCONF = "floor_urls"
