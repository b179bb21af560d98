"""POST /api/v1/awards/{id}/offer/: an LMS asks for wallet offers to hand to the learner."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from badges.wallet import exchanges, offers
from common.problems import Unprocessable
from credentials.api.views import ERRORS
from credentials.selectors import awards_for_user


class OfferInputSerializer(serializers.Serializer):
    tx_code = serializers.BooleanField(
        default=False,
        help_text="Mail the learner a 6-digit code that the wallet must ask for (recommended when "
        "the offer travels through another system).",
    )


class OpenId4VciOfferSerializer(serializers.Serializer):
    credential_offer_uri = serializers.URLField()
    credential_offer = serializers.DictField(help_text="The same offer by value.")
    deep_link = serializers.CharField(help_text="openid-credential-offer://?credential_offer_uri=…")
    deep_link_by_value = serializers.CharField()
    tx_code_sent = serializers.BooleanField()
    expires_at = serializers.DateTimeField()


class VcApiOfferSerializer(serializers.Serializer):
    exchange_url = serializers.URLField(help_text="POST {} for the presentation request.")
    interaction_url = serializers.URLField(help_text="GET: the protocols this offer speaks.")
    lcw_deep_link = serializers.CharField(help_text="https://lcw.app/request?… (DCC wallet)")
    dcc_deep_link = serializers.CharField(help_text="dccrequest://request?…")


class OfferOutputSerializer(serializers.Serializer):
    openid4vci = OpenId4VciOfferSerializer()
    vcapi = VcApiOfferSerializer()


class AwardOfferView(APIView):
    required_scopes = {"POST": "awards:write"}

    @extend_schema(
        operation_id="awards_offer",
        request=OfferInputSerializer,
        responses={201: OfferOutputSerializer, **ERRORS},
        description="A single-use OpenID4VCI pre-authorised offer of the award's Open Badges 3.0 "
        "credential, for the learner's wallet (docs/wallets.md). Audited.",
    )
    def post(self, request, id):
        award = get_object_or_404(awards_for_user(request.user), public_id=id)
        serializer = OfferInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            hand_out = offers.make_offer(
                actor=request.user,
                award=award,
                with_tx_code=serializer.validated_data["tx_code"],
                request=request,
            )
        except offers.OfferError as error:
            raise Unprocessable(error.description) from error
        body = {
            "openid4vci": {
                "credential_offer_uri": hand_out.offer_uri,
                "credential_offer": hand_out.document,
                "deep_link": hand_out.deep_link,
                "deep_link_by_value": hand_out.deep_link_by_value,
                "tx_code_sent": hand_out.tx_code_sent,
                "expires_at": hand_out.offer.expires_at,
            },
            "vcapi": {
                **exchanges.wallet_links(hand_out.offer),
                "interaction_url": exchanges.exchange_url(hand_out.offer) + "?iuv=1",
            },
        }
        return Response(OfferOutputSerializer(body).data, status=201)
