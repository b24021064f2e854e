from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.text import CleanCharField, PhoneField, swedish


class Function(models.Model):
    """A municipal function (befattning), data so another municipality can use its own.

    The action plan's startgrupp is "Kommunchef, Kommunstyrelsens ordförande,
    Utvecklingschef och Kommunikatör": functions marked `in_startgroup` make up the default
    startgrupp of a new event. `role` lets the product find the one function a rule names
    (the kommunikatör writes, the KSO speaks, the kommunchef is told of a missed meeting).
    """

    class Role(models.TextChoices):
        KOMMUNCHEF = "kommunchef", "Kommunchef"
        KSO = "kso", "Kommunstyrelsens ordförande"
        UTVECKLINGSCHEF = "utvecklingschef", "Utvecklingschef"
        KOMMUNIKATOR = "kommunikator", "Kommunikatör"

    name = CleanCharField("benämning", max_length=100, unique=True)
    role = models.CharField(
        "roll i handlingsplanen", max_length=20, choices=Role, blank=True, default=""
    )
    in_startgroup = models.BooleanField("ingår i startgruppen", default=False)

    class Meta:
        verbose_name = "funktion"
        verbose_name_plural = "funktioner"
        ordering = [swedish("name")]
        constraints = [
            models.UniqueConstraint(
                fields=["role"], condition=~Q(role=""), name="function_role_unique"
            )
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    # AbstractUser's, stored as accounts.text stores text.
    first_name = CleanCharField(_("first name"), max_length=150, blank=True)
    last_name = CleanCharField(_("last name"), max_length=150, blank=True)
    function = models.ForeignKey(
        Function,
        verbose_name="funktion",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )
    phone = PhoneField("telefon", max_length=40, blank=True)
    email_notifications = models.BooleanField(
        "notiser även som e-post",
        default=True,
        help_text="Av: notiserna visas bara här i tjänsten.",
    )
    # Logging an event convenes the startgrupp at once: the startgrupp's functions may, and
    # whoever else an administrator trusts with it (events.access.may_log_events).
    may_log_events = models.BooleanField(
        "får logga händelser",
        default=False,
        help_text="Startgruppens funktioner får alltid logga nya händelser. Markera andra "
        "som också ska få göra det.",
    )

    class Meta:
        verbose_name = "användare"
        verbose_name_plural = "användare"
        # As accounts.people.person_key orders them in Python.
        ordering = [swedish("first_name"), swedish("last_name"), "username"]

    def __str__(self):
        return self.get_full_name() or self.username


class LoginThrottle(models.Model):
    """Failed logins for one username from one client address.

    Keyed on the pair so that guessing from one address never locks the official out of
    logins from elsewhere; `locked_until` is a cool-off that ends by itself.
    """

    username = models.CharField(max_length=150)
    ip = models.GenericIPAddressField()
    failures = models.PositiveIntegerField(default=0)
    first_failure_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "ip"], name="login_throttle_pair")
        ]

    def __str__(self):
        return f"{self.username} från {self.ip}"

    @classmethod
    def locked_until_for(cls, username: str, ip: str):
        now = timezone.now()
        return (
            cls.objects.filter(username=username.lower(), ip=ip, locked_until__gt=now)
            .values_list("locked_until", flat=True)
            .first()
        )

    @classmethod
    def record_failure(cls, username: str, ip: str, *, max_failures: int, window, cool_off):
        """Count one failure atomically; start a cool-off at `max_failures` in `window`."""
        now = timezone.now()
        username = username.lower()
        throttle, created = cls.objects.get_or_create(
            username=username, ip=ip, defaults={"first_failure_at": now, "failures": 1}
        )
        if not created:
            if throttle.first_failure_at < now - window:
                # An old series of failures: start counting afresh.
                cls.objects.filter(pk=throttle.pk).update(
                    failures=1, first_failure_at=now, locked_until=None
                )
            else:
                # F() so that two simultaneous guesses both count.
                cls.objects.filter(pk=throttle.pk).update(failures=F("failures") + 1)
        cls.objects.filter(
            pk=throttle.pk, failures__gte=max_failures, locked_until__isnull=True
        ).update(locked_until=now + cool_off)

    @classmethod
    def clear(cls, username: str, ip: str):
        cls.objects.filter(username=username.lower(), ip=ip).delete()


class OidcIdentity(models.Model):
    """Who a user is at the municipality's OpenID provider: its issuer and the subject it
    names the user by, which never changes (OpenID Connect Core §5.7). The account is found
    by this pair at every sign-in, never by e-mail, which the user or an administrator can
    change and another account may hold."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="oidc_identities")
    issuer = models.CharField("utfärdare", max_length=255)
    subject = models.CharField("subjekt", max_length=255)
    created_at = models.DateTimeField("första inloggning", default=timezone.now)
    signed_in_at = models.DateTimeField("senaste inloggning", default=timezone.now)

    class Meta:
        verbose_name = "inloggning med kommunens konto"
        verbose_name_plural = "inloggningar med kommunens konto"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="oidc_identity_once")
        ]

    def __str__(self):
        return f"{self.subject} hos {self.issuer}"
