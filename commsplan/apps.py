from django.apps import AppConfig


class CommsplanConfig(AppConfig):
    name = "commsplan"
    verbose_name = "Kommunikationsplan"
