from django.urls import include, path

from gaoqi.web.api import api
from gaoqi.web.core import health

handler404 = "gaoqi.web.core.errors.handler_404"
handler500 = "gaoqi.web.core.errors.handler_500"

health_urls = (
    [path("healthz", health.healthz, name="healthz"), path("readyz", health.readyz, name="readyz")],
    "health",
)

urlpatterns = [
    path("", include(health_urls)),  # liveness and readiness probes (ADR 0038)
    path("", include("gaoqi.web.dashboard.urls")),
    path("accounts/", include("gaoqi.web.accounts.urls")),
    path("enterprises/", include("gaoqi.web.enterprises.urls")),
    path("policies/", include("gaoqi.web.policies.urls")),
    path("intake/", include("gaoqi.web.intake.urls")),
    path("audit/", include("gaoqi.web.audit.urls")),
    path("certification/", include("gaoqi.web.certification.urls")),
    path("programmes/", include("gaoqi.web.programmes.urls")),
    path("tech-sme/", include("gaoqi.web.techsme.urls")),
    path("incubators/", include("gaoqi.web.incubators.urls")),
    path("evaluation/", include("gaoqi.web.evaluation.urls")),
    path("service-packages/", include("gaoqi.web.servicepacks.urls")),
    path("support/", include("gaoqi.web.support.urls")),
    path("servicedesk/", include("gaoqi.web.servicedesk.urls")),
    path("benefits/", include("gaoqi.web.benefits.urls")),
    path("matching/", include("gaoqi.web.matching.urls")),
    path("quick-apply/", include("gaoqi.web.quickapply.urls")),
    path("drafting/", include("gaoqi.web.drafting.urls")),
    path("push/", include("gaoqi.web.push.urls")),
    path("analytics/", include("gaoqi.web.analytics.urls")),
    path("assist/", include("gaoqi.web.assist.urls")),
    path("spot-checks/", include("gaoqi.web.spotchecks.urls")),
    path("monitoring/", include("gaoqi.web.monitoring.urls")),
    path("review-signals/", include("gaoqi.web.reviewsignals.urls")),
    path("api/", api.urls),
]
