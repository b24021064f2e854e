from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.forms import LoginForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import User


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class SettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["email_notifications"]


@require_http_methods(["GET", "POST"])
def account_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own choices: whether notifications also come by e-mail."""
    form = SettingsForm(request.POST if request.method == "POST" else None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Inställningarna är sparade.")
        return redirect("account_settings")
    return render(request, "accounts/settings.html", {"form": form})
