"""The learner's outside badges (recognition of prior learning): hand one in, see what was
verified and what each stack's staff decided. Writes go through badges.recognition."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from badges.forms import MAX_UPLOAD_BYTES, OutsideBadgeForm
from badges.recognition import BadgeRefused, submit_outside_badge
from badges.views.public import VerifyFormThrottle
from common.body_limits import limit_request_body
from credentials.models import Learner
from credentials.selectors import session_learner_id
from credentials.selectors_recognition import learner_outside_achievements
from credentials.views.learner import AFTER_SIGN_IN


@never_cache
@require_http_methods(["GET", "POST"])
@limit_request_body(MAX_UPLOAD_BYTES)
def learner_outside_badges(request):
    learner_id = session_learner_id(request.session)
    learner = Learner.objects.filter(pk=learner_id).first() if learner_id else None
    if learner is None:
        request.session[AFTER_SIGN_IN] = request.get_full_path()
        return redirect(reverse("credentials:learner-sign-in"))
    form = OutsideBadgeForm(request.POST or None, request.FILES or None)
    refusal = None
    # It fetches the URLs it is given, like the verify page: the same rate per client address.
    throttle = VerifyFormThrottle()
    limited = request.method == "POST" and not throttle.allow_request(request, None)
    if limited:
        form.refuse_as_rate_limited()
    elif request.method == "POST" and form.is_valid():
        try:
            achievement = submit_outside_badge(
                learner=learner, data=form.badge_data(), request=request
            )
        except BadgeRefused as error:
            refusal = error
            form.add_error(None, error.messages[0])
        else:
            messages.success(
                request,
                _("“%(name)s” was verified and registered.")
                % {"name": achievement.achievement_name},
            )
            return redirect(reverse("badges:learner-outside-badges"))
    return render(
        request,
        "badges/outside_badges.html",
        {
            "form": form,
            "achievements": learner_outside_achievements(learner),
            "checks": refusal.result.checks if refusal and refusal.result else [],
        },
        status=429 if limited else 400 if form.errors else 200,
    )
