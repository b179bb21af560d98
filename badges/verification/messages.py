"""Japanese and English texts of the verification checks, keyed by message id.

Both languages go into every result (see result.py), so they are kept side by side here rather
than in the gettext catalogue, which yields one language per request.
"""

from __future__ import annotations

_TEXTS: dict[str, tuple[str, str]] = {
    # input
    "input_too_large": (
        "入力が大きすぎます（上限 {limit} バイト）。",
        "The input is too large (limit {limit} bytes).",
    ),
    "input_unrecognised": (
        "バッジとして認識できない入力です。URL、JSON、JWS、またはバッジ画像（PNG/SVG）を指定してください。",
        "The input is not recognised as a badge. Give a URL, JSON, a JWS or a baked PNG/SVG image.",
    ),
    "input_bad_json": (
        "JSON として読み取れません: {detail}",
        "The input is not valid JSON: {detail}",
    ),
    "input_not_object": ("JSON がオブジェクトではありません。", "The JSON is not an object."),
    "input_unknown_format": (
        "Open Badges 2.0 のアサーションでも 3.0 のクレデンシャルでもありません。",
        "The JSON is neither an Open Badges 2.0 assertion nor a 3.0 credential.",
    ),
    "input_vc_jwt": (
        "VC-JWT 形式（署名アルゴリズム {alg}）の Open Badges 3.0 クレデンシャルとして検証します。",
        "Verifying an Open Badges 3.0 credential secured as a VC-JWT (algorithm {alg}).",
    ),
    "vc_jwt_no_credential": (
        "この JWT にはクレデンシャル（vc クレーム）が含まれていません。",
        "This JWT carries no credential (no vc claim).",
    ),
    "vc_jwt_alg": (
        "署名アルゴリズム {alg} には対応していません（RS256、ES256、EdDSA に対応）。",
        "The signing algorithm {alg} is not supported (RS256, ES256 and EdDSA are).",
    ),
    "vc_jwt_claims": (
        "JWT のクレームがクレデンシャルの内容と一致しません: {detail}",
        "The JWT's claims do not match the credential: {detail}",
    ),
    "vc_jwt_key_unbound": (
        "署名は正しいものの、署名鍵が発行者「{issuer}」のものであることを確認できません。",
        "The signature is valid, but the signing key cannot be shown to belong to the issuer "
        "“{issuer}”.",
    ),
    "input_html_not_badge": (
        "{url} はウェブページで、バッジへのリンクが見つかりません。バッジの URL、JSON、"
        "またはダウンロードしたバッジ画像（PNG/SVG）を指定してください。",
        "{url} is a web page with no link to a badge. Give the badge's URL, its JSON or the "
        "downloaded badge image (PNG/SVG) instead.",
    ),
    "input_pdf_not_badge": (
        "{url} は PDF 文書で、バッジではありません。PDF の証明書は検証できません。"
        "バッジの URL、JSON、またはバッジ画像（PNG/SVG）を指定してください。",
        "{url} is a PDF document, not a badge; a PDF certificate cannot be verified. Give the "
        "badge's URL, its JSON or the badge image (PNG/SVG) instead.",
    ),
    "input_other_not_badge": (
        "{url} の内容はバッジの形式ではありません（JPEG 画像や文書ファイルなど）。"
        "バッジの URL、JSON、またはバッジ画像（PNG/SVG）を指定してください。",
        "The content at {url} is not a badge format (e.g. a JPEG image or a document). Give the "
        "badge's URL, its JSON or the badge image (PNG/SVG) instead.",
    ),
    "input_followed_link": (
        "ページからバッジへのリンク {url} をたどりました。",
        "Followed the page's badge link {url}.",
    ),
    "input_unexpected": (
        "文書の形式が想定外のため、検証を完了できませんでした。",
        "The document has an unexpected shape; verification could not be completed.",
    ),
    "input_image_bad": ("画像を読み取れません: {detail}", "The image cannot be read: {detail}"),
    "input_image_empty": (
        "この画像にはバッジ情報が埋め込まれていません。",
        "This image contains no baked badge.",
    ),
    "input_image_found": (
        "画像から Open Badges {version} のデータを取り出しました。",
        "Extracted Open Badges {version} data from the image.",
    ),
    "input_image_several": (
        "画像に複数のバッジが埋め込まれています。最初の 1 件を検証しました。",
        "The image holds several badges; the first one was verified.",
    ),
    "fetch_failed": (
        "{url} を取得できませんでした: {reason}",
        "Could not fetch {url}: {reason}",
    ),
    "fetch_status": (
        "{url} の取得に失敗しました（HTTP {status}）。",
        "Fetching {url} failed (HTTP {status}).",
    ),
    "fetch_not_json": (
        "{url} の内容が JSON ではありません。",
        "The document at {url} is not JSON.",
    ),
    # structure
    "structure_ok": ("文書の構造は正しい形式です。", "The document is well-formed."),
    "structure_bad": (
        "文書の構造に誤りがあります: {detail}",
        "The document is malformed: {detail}",
    ),
    # signature
    "signature_ok": ("電子署名は正しく検証されました。", "The digital signature is valid."),
    "signature_bad": (
        "電子署名を検証できません。改ざんされたか、別の鍵で署名されています: {detail}",
        "The signature does not verify: the document was altered or signed with another key: "
        "{detail}",
    ),
    "signature_unsigned_json": (
        "署名付き（SignedBadge）アサーションは JWS の形で検証してください。",
        "A signed (SignedBadge) assertion must be verified in its JWS form.",
    ),
    # issuer and key
    "issuer_ok": (
        "発行者 {issuer} の鍵で署名されています。",
        "Signed with a key of the issuer {issuer}.",
    ),
    "issuer_hosted_ok": (
        "発行者 {issuer} のドメインで公開されています。",
        "Published on the domain of the issuer {issuer}.",
    ),
    "issuer_retired_key": (
        "発行者 {issuer} の、現在は使用されていない（退役した）鍵で署名されています。"
        "発行時点では有効な鍵です。",
        "Signed with a retired key of the issuer {issuer}; the key was valid when it signed.",
    ),
    "issuer_unknown": (
        "発行者を確認できません: {detail}",
        "The issuer cannot be confirmed: {detail}",
    ),
    "issuer_key_mismatch": (
        "署名鍵が発行者のものではありません: {detail}",
        "The signing key does not belong to the issuer: {detail}",
    ),
    # hosted
    "hosted_ok": (
        "発行者のサーバーに公開されているアサーションと一致します。",
        "The assertion matches the one published on the issuer's server.",
    ),
    "hosted_mismatch": (
        "発行者のサーバーに公開されているアサーションと内容が異なります。",
        "The assertion differs from the one published on the issuer's server.",
    ),
    "hosted_origin": (
        "アサーションの URL が発行者のドメインにありません: {detail}",
        "The assertion URL is not on the issuer's domain: {detail}",
    ),
    # revocation
    "revocation_ok": ("失効していません。", "The badge has not been revoked."),
    "revocation_revoked": (
        "このバッジは発行者により失効されています。{reason}",
        "The issuer has revoked this badge. {reason}",
    ),
    "revocation_suspended": (
        "このバッジは発行者により一時停止されています。",
        "The issuer has suspended this badge.",
    ),
    "revocation_none": (
        "失効情報が提供されていません。",
        "The badge provides no revocation information.",
    ),
    "revocation_unchecked": (
        "失効状況を確認できません: {detail}",
        "The revocation status cannot be checked: {detail}",
    ),
    # dates
    "expiry_ok": ("有効期限内です（{until} まで）。", "Not expired (valid until {until})."),
    "expiry_none": ("有効期限はありません。", "The badge does not expire."),
    "expiry_expired": ("有効期限（{until}）が過ぎています。", "The badge expired on {until}."),
    "not_before_ok": ("有効期間が始まっています。", "The validity period has started."),
    "not_before_future": (
        "有効期間の開始（{since}）前です。",
        "The badge is not valid before {since}.",
    ),
    "date_bad": ("日時の形式が正しくありません: {detail}", "Malformed date: {detail}"),
    # recipient
    "recipient_match": (
        "受領者のメールアドレスが一致しました。",
        "The recipient's e-mail address matches.",
    ),
    "recipient_mismatch": (
        "受領者のメールアドレスが一致しません。",
        "The recipient's e-mail address does not match.",
    ),
    "recipient_skipped": (
        "メールアドレスが指定されなかったため、受領者は照合していません。",
        "No e-mail address given: the recipient was not checked.",
    ),
    "recipient_unsupported": (
        "受領者をメールアドレスで照合できる情報がありません。",
        "The badge has no e-mail identity to compare with.",
    ),
    # endorsements
    "endorsement_ok": (
        "推薦（エンドースメント）を確認しました: {endorsers}",
        "Endorsements verified: {endorsers}",
    ),
    "endorsement_bad": (
        "確認できない推薦（エンドースメント）があります: {endorsers}",
        "Some endorsements could not be verified: {endorsers}",
    ),
    # OB 3.0 status list
    "status_list_bad": (
        "失効リストのクレデンシャルが不正です: {detail}",
        "The status list credential is invalid: {detail}",
    ),
}


def text(key: str, **values: object) -> tuple[str, str]:
    ja, en = _TEXTS[key]
    if values:
        ja, en = ja.format(**values), en.format(**values)
    return ja.strip(), en.strip()
