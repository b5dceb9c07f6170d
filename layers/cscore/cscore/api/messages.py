"""Error texts by language: every error code's description in English and Japanese, and
the Japanese form of the error messages whose shape is stable.

The Japanese wording follows the Japanese edition of Gainsight's help where it has one
(the users API's error table: GU_*, GSOBJ_RLS*; its terms: 記録, 会社, ルックアップ).

An error's English message stays in ``errorDesc``. In Japanese (``localized``):
``localizedMessage`` is the code's description, ``localizedErrorDesc`` the message itself
in Japanese when every part of it has a known shape (``path: reason`` parts joined by
``; ``, field paths kept as they are), else the code's description followed by the
message, its known parts translated and the others in English.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cscore.api import languages


class Description(NamedTuple):
    english: str
    japanese: str


CODES: dict[str, Description] = {
    # Common contract (SPEC §1.2)
    "GS_APIG_2401": Description("Unauthorized", "認証されていません(アクセスキーがないか、無効です)"),
    "GS_1400": Description("Bad request", "不正なリクエストです"),
    "GS_1403": Description("You are not allowed to perform this action", "この操作を実行する権限がありません"),
    "GS_1404": Description("Resource not found", "リソースが見つかりません"),
    "GS_1409": Description("Conflict with the current state", "現在の状態と競合しています"),
    "GS_1413": Description("Request body too large", "リクエスト本文が大きすぎます"),
    "GS_1415": Description("Unsupported content type", "サポートされていないコンテンツタイプです"),
    "GU_2400": Description("Too many requests", "リクエストが多すぎます"),
    "GU_1101": Description("Oops! Something went wrong.", "ウップス!何かが間違っていた。"),
    # Users API (SPEC §2.6; the seed's error table)
    "GU_1705": Description("Invalid select fields", "無効な選択フィールドです"),
    "GU_2401": Description("Bulk user create failed", "ユーザーの一括作成操作が失敗しました"),
    "GU_2402": Description("Bulk user update failed", "ユーザーの一括更新操作が失敗しました"),
    "GU_2403": Description("Lookup configuration invalid", "ルックアップ構成が無効です"),
    "GU_2404": Description(
        "Lookup field cannot be null or empty", "ルックアップフィールドをnullまたは空にすることはできません"
    ),
    "GU_2405": Description("Lookup object is invalid", "ルックアップオブジェクトが無効です"),
    "GU_2406": Description("Lookup match criteria is invalid", "ルックアップ一致クライテリアが無効です"),
    "GU_2407": Description("Field not present in the user record", "フィールドがユーザー記録に存在しません"),
    "GU_2409": Description(
        "Key provided in the request is not supported", "リクエストで提供されたキーはサポートされていません"
    ),
    "GU_2410": Description(
        "Same user cannot be added as manager", "同じユーザーをマネージャーとして追加することはできません"
    ),
    "GU_2411": Description("Conflict in updating users", "ユーザーの更新で競合"),
    "GU_2412": Description(
        "Not attempted: the request ran out of time before this record",
        "処理されませんでした: この記録の前にリクエストの時間が切れました。もう一度送信してください",
    ),
    "GSOBJ_RLS004": Description(
        "ResolveLookupRequest invalid target lookup mapping",
        "ResolveLookupRequestは無効なターゲットルックアップマッピング",
    ),
    "GSOBJ_RLS005": Description(
        "ResolveLookupRequest invalid target lookup mapping",
        "ResolveLookupRequest 無効なターゲット ルックアップ マッピング",
    ),
    "GSOBJ_RLS008": Description(
        "ResolveLookupRequest source collectionMaster not found",
        "ResolveLookupRequestのソースcollectionMasterが見つからない",
    ),
    "GSOBJ_RLS009": Description(
        "ResolveLookupRequest target collectionMaster not found",
        "ResolveLookupRequestのターゲットcollectionMasterが見つからない",
    ),
    # Company data API and objects (SPEC §1.2, §4b, §7)
    "GSOBJ_1001": Description("Field value too long", "フィールドの値が長すぎます"),
    "GSOBJ_1002": Description("Invalid field", "無効なフィールドです"),
    "GSOBJ_1004": Description("GSID invalid or missing", "GSIDが無効か、指定されていません"),
    "GSOBJ_1005": Description("Invalid date-time", "日時が無効です"),
    "GSOBJ_1007": Description("A required field cannot be null", "必須フィールドにnullを指定することはできません"),
    "GSOBJ_1011": Description(
        "No entity matches the given criteria", "指定されたクライテリアに一致する記録はありません"
    ),
    "GSOBJ_1013": Description("The query would read too many records", "クエリが読み取る記録が多すぎます"),
    "OBJECT_NOT_FOUND": Description("Requested object not found.", "要求されたオブジェクトが見つかりません。"),
    # Salesforce connector (SPEC §3.4)
    "GS_SF_1001": Description("The Salesforce authorization failed", "Salesforceの認証に失敗しました"),
    "GS_SF_1002": Description(
        "This connection is bound to another Salesforce org", "この接続は別のSalesforce組織に紐付けられています"
    ),
    "GS_SF_1003": Description(
        "The platform's managed package is not installed in the org",
        "Salesforce組織にGainsightの管理パッケージがインストールされていません",
    ),
    "GS_SF_1004": Description("The Salesforce connection is not authorized", "Salesforce接続が承認されていません"),
    "GS_SF_1005": Description(
        "Salesforce failed or could not be reached", "Salesforceでエラーが発生したか、接続できませんでした"
    ),
}

_FIELD = r"(?P<field>[^\s:;]+)"
# One part of a message (``path: reason``, or a whole sentence) -> its Japanese form.
# Each pattern must match the whole part; groups are copied as they are.
_SHAPES: list[tuple[str, str]] = [
    # request checks and typed bodies (api/request.py, platform/request_model.py)
    (_FIELD + r": (Field required|required)", "{field}: 必須です"),
    (_FIELD + r": unknown field", "{field}: 不明なフィールドです"),
    (_FIELD + r": unknown field \(allowed: (?P<allowed>[^)]*)\)", "{field}: 不明なフィールドです(使用可能: {allowed})"),
    (_FIELD + r": must be a JSON object", "{field}: JSONオブジェクトである必要があります"),
    (_FIELD + r": must be a JSON array", "{field}: JSON配列である必要があります"),
    (_FIELD + r": must be an object", "{field}: オブジェクトである必要があります"),
    (_FIELD + r": must be a string", "{field}: 文字列である必要があります"),
    (_FIELD + r": must be an integer", "{field}: 整数である必要があります"),
    (_FIELD + r": must be true or false", "{field}: trueまたはfalseである必要があります"),
    (_FIELD + r": must not be empty", "{field}: 空にすることはできません"),
    (_FIELD + r": must be a non-empty list", "{field}: 空でないリストである必要があります"),
    (
        _FIELD + r": not valid text \(a lone surrogate or NUL character\)",
        "{field}: 有効なテキストではありません(対になっていないサロゲートまたはNUL文字)",
    ),
    (_FIELD + r": malformed JSON", "{field}: JSONの形式が正しくありません"),
    (_FIELD + r": malformed JSON \((?P<detail>.*)\)", "{field}: JSONの形式が正しくありません({detail})"),
    (_FIELD + r": not valid JSON", "{field}: 有効なJSONではありません"),
    (_FIELD + r": not valid base64", "{field}: 有効なbase64ではありません"),
    (_FIELD + r": not valid UTF-8 \(byte (?P<n>\d+)\)", "{field}: 有効なUTF-8ではありません({n}バイト目)"),
    (
        _FIELD + r": nested deeper than (?P<n>\d+) levels of arrays and objects",
        "{field}: 配列とオブジェクトの入れ子が{n}階層を超えています",
    ),
    (
        _FIELD + r": (?P<value>.+) is not one of (?P<words>.+) \(in any case\)",
        "{field}: {value}は{words}のいずれでもありません(大文字と小文字は区別しません)",
    ),
    (_FIELD + r": Input should be greater than or equal to (?P<n>\S+)", "{field}: {n}以上である必要があります"),
    (_FIELD + r": Input should be less than or equal to (?P<n>\S+)", "{field}: {n}以下である必要があります"),
    (_FIELD + r": Input should be greater than (?P<n>\S+)", "{field}: {n}より大きい必要があります"),
    (_FIELD + r": Input should be less than (?P<n>\S+)", "{field}: {n}未満である必要があります"),
    (_FIELD + r": Input should be (?P<choices>'.+')", "{field}: {choices}のいずれかである必要があります"),
    (_FIELD + r": String should have at most (?P<n>\d+) characters?", "{field}: {n}文字以内である必要があります"),
    (_FIELD + r": String should have at least (?P<n>\d+) characters?", "{field}: {n}文字以上である必要があります"),
    (
        _FIELD + r": List should have at most (?P<n>\d+) items? after validation, not (?P<m>\d+)",
        "{field}: 要素は{n}件以下である必要があります({m}件あります)",
    ),
    (
        _FIELD + r": List should have at least (?P<n>\d+) items? after validation, not (?P<m>\d+)",
        "{field}: 要素が{n}件以上必要です({m}件あります)",
    ),
    (
        _FIELD + r": at most (?P<n>\d+) (?P<what>records|GSIDs) per request, got (?P<m>\d+)",
        "{field}: 1リクエストあたり{n}件までです({m}件指定されています)",
    ),
    (_FIELD + r": at least 1 record is required", "{field}: 少なくとも1件の記録が必要です"),
    # field values (users and objects schemas)
    (_FIELD + r": (?P<value>.+) is not a valid GSID", "{field}: {value}は有効なGSIDではありません"),
    (_FIELD + r": (?P<value>.+) is not a valid e-mail address", "{field}: {value}は有効なメールアドレスではありません"),
    (_FIELD + r": longer than (?P<n>\d+) characters", "{field}: {n}文字を超えています"),
    (_FIELD + r": unknown field of (?P<object>\w+)", "{field}: {object}の不明なフィールドです"),
    (
        _FIELD + r": is set by the system and cannot be written",
        "{field}: システムが設定するフィールドのため書き込めません",
    ),
    (_FIELD + r": no user (?P<value>.+) in this tenant", "{field}: このテナントにユーザー{value}は存在しません"),
    (
        _FIELD + r": (?P<name>\S+) is not a field of (?P<object>\w+)",
        "{field}: {name}は{object}のフィールドではありません",
    ),
    # query language (query/)
    (r"Invalid select fields: (?P<fields>.+)", "無効な選択フィールドです: {fields}"),
    (r"unknown field '(?P<name>[^']*)' in (?P<where>.+)", "{where}の不明なフィールド '{name}'"),
    # users lookups (users/lookups.py; SPEC §2.2)
    (r"Lookup objects \[(?P<objects>.*)\] are not valid", "ルックアップオブジェクト [{objects}] は無効です"),
    (
        r"Lookup configuration invalid: lookups must be an object",
        "ルックアップ構成が無効です: lookupsはオブジェクトである必要があります",
    ),
    (
        r"Lookup configuration invalid: (?P<target>\S+) must be an object",
        "ルックアップ構成が無効です: {target}はオブジェクトである必要があります",
    ),
    (
        r"Lookup configuration invalid: (?P<target>\S+) looks up (?P<object>\S+), not (?P<given>.+)",
        "ルックアップ構成が無効です: {target}のルックアップオブジェクトは{object}です({given}ではありません)",
    ),
    (
        r"Lookup configuration invalid: lookupField of (?P<target>\S+) must be a field name",
        "ルックアップ構成が無効です: {target}のlookupFieldはフィールド名である必要があります",
    ),
    (
        r"Lookup configuration invalid: (?P<target>\S+) holds a GSID, so lookupField must be Gsid",
        "ルックアップ構成が無効です: {target}はGSIDを保持するため、lookupFieldはGsidである必要があります",
    ),
    (
        r"Lookup configuration invalid: multiMatchOption or onNoMatch of (?P<target>\S+)",
        "ルックアップ構成が無効です: {target}のmultiMatchOptionまたはonNoMatch",
    ),
    (
        r"Lookup configuration invalid: onNoMatch DEFAULTVALUE needs a defaultValue \((?P<target>[^)]+)\)",
        "ルックアップ構成が無効です: onNoMatch DEFAULTVALUEにはdefaultValueが必要です({target})",
    ),
    (
        r"Lookup field cannot be null or empty \((?P<target>[^)]+)\)",
        "ルックアップフィールドをnullまたは空にすることはできません({target})",
    ),
    (
        r"Lookup object is invalid: objectName of (?P<target>\S+) is null or empty",
        "ルックアップオブジェクトが無効です: {target}のobjectNameがnullまたは空です",
    ),
    (
        r"Lookup match criteria is invalid: fields of (?P<target>\S+) is empty",
        "ルックアップ一致クライテリアが無効です: {target}のfieldsが空です",
    ),
    (
        r"Lookup match criteria is invalid: (?P<object>\S+) is matched on (?P<choices>.+), not (?P<given>.+)",
        "ルックアップ一致クライテリアが無効です: {object}の一致フィールドは{choices}です({given}ではありません)",
    ),
    (r"Field (?P<source>\S+) not present in (?P<where>.+)", "フィールド{source}が{where}に存在しません"),
    (
        r"Lookup field (?P<name>\S+) does not exist on (?P<object>\S+)",
        "ResolveLookupRequestは無効なターゲットルックアップマッピング {name}({name}は{object}に存在しません)",
    ),
    (
        r"Target field (?P<name>\S+) does not exist on (?P<object>\S+) or is not a lookup field",
        "ResolveLookupRequest 無効なターゲット ルックアップ マッピング {name}"
        "({name}は{object}に存在しないか、ルックアップフィールドではありません)",
    ),
    (
        r"Key provided in the request is not supported: (?P<key>.+)",
        "リクエストで提供されたキーはサポートされていません: {key}",
    ),
    (
        r"Same user cannot be added as manager: (?P<gsid>.+)",
        "同じユーザーをマネージャーとして追加することはできません: {gsid}",
    ),
    (
        r"Conflict in updating users: the same user is in the request more than once",
        "ユーザーの更新で競合: 同一ユーザーがリクエストに複数回含まれています",
    ),
    # authorization, routes, media types
    (r"Only super admins may call this endpoint", "このエンドポイントを呼び出せるのは上級管理者のみです"),
    (r"Only super admins may check another user's access", "他のユーザーのアクセスを確認できるのは上級管理者のみです"),
    (
        r"Only super admins and the team admins of company (?P<gsid>\S+) may change its team",
        "会社{gsid}のチームを変更できるのは、上級管理者とそのチームのチーム管理者のみです",
    ),
    (
        r"Only super admins and the team admins of company (?P<gsid>\S+) may see its team",
        "会社{gsid}のチームを参照できるのは、上級管理者とそのチームのチーム管理者のみです",
    ),
    (r"No route for this method and path", "このメソッドとパスのルートはありません"),
    (
        r"Content-Type: (?P<given>.+) is not accepted here \(send (?P<accepted>.+)\)",
        "Content-Type: {given}はここでは受け付けられません({accepted}を送信してください)",
    ),
    # records that do not exist (a GSID of another tenant included)
    (
        r"GSID invalid or missing: (?P<gsid>.+) is not a Company GSID",
        "GSIDが無効か、指定されていません: {gsid}は会社のGSIDではありません",
    ),
    (r"No Company with GSID (?P<gsid>\S+)", "GSID {gsid}の会社はありません"),
    (r"No company with GSID (?P<gsid>\S+) in this tenant", "このテナントにGSID {gsid}の会社はありません"),
    (r"No user with GSID (?P<gsid>\S+) in this tenant", "このテナントにGSID {gsid}のユーザーはありません"),
    (
        r"User (?P<user>\S+) is not on the team of company (?P<company>\S+)",
        "ユーザー{user}は会社{company}のチームに所属していません",
    ),
    (_FIELD + r": no user (?P<value>\S+)", "{field}: ユーザー{value}は存在しません"),
    (_FIELD + r": no company (?P<value>\S+)", "{field}: 会社{value}は存在しません"),
    (_FIELD + r": no job (?P<value>\S+)", "{field}: ジョブ{value}は存在しません"),
    (_FIELD + r": no bulk job (?P<value>\S+) in this tenant", "{field}: このテナントに一括ジョブ{value}は存在しません"),
    (_FIELD + r": no Salesforce connection (?P<value>\S+)", "{field}: Salesforce接続{value}は存在しません"),
    # state conflicts
    (r"A run of this job is already queued or running", "このジョブの実行は既にキューに入っているか、実行中です"),
    (r"A tenant has at most one Salesforce connection", "1つのテナントが持てるSalesforce接続は1つまでです"),
    (r"The job is disabled: enable it first", "ジョブは無効になっています。先に有効にしてください"),
    (
        r"The import is still running: its errors file is ready when it ends",
        "インポートはまだ実行中です。エラーファイルはインポートの終了時に用意されます",
    ),
    (r"A team role labelled (?P<label>.+) already exists", "ラベル{label}のチームの役割は既に存在します"),
    (
        r"(?P<object>\w+) already has the custom field (?P<name>\S+)",
        "{object}には既にカスタムフィールド{name}があります",
    ),
    (
        r"The company changed while it was being deleted; try again",
        "削除中に会社が変更されました。もう一度お試しください",
    ),
    # Salesforce connections
    (r"The connection is (?P<status>\w+): authorize it first", "接続は{status}です。先に承認してください"),
    (
        r"The job's Salesforce connection is not authorized: re-authorize it first",
        "ジョブのSalesforce接続が承認されていません。先に再承認してください",
    ),
    (
        r"The connection is already bound to an org: use reauthorize",
        "接続は既に組織に紐付けられています。再承認を使用してください",
    ),
    (r"The connection was never authorized: use authorize", "接続は一度も承認されていません。承認を使用してください"),
]
_COMPILED = [(re.compile(pattern), japanese) for pattern, japanese in _SHAPES]


def localized(code: str, desc: str, language: str) -> tuple[str, str | None]:
    """``(localizedErrorDesc, localizedMessage)`` of an error in ``language``. In English
    (and for a code without Japanese text) they are what the envelope always had: the
    message, and no localized message."""
    description = CODES.get(code)
    if language != "ja" or description is None:
        return desc, None
    return _japanese(description, desc), description.japanese


def for_header(code: str, desc: str, accept_language: str | None) -> tuple[str, str | None]:
    """``localized`` in the language an ``Accept-Language`` value prefers."""
    return localized(code, desc, languages.preferred(accept_language))


def _japanese(description: Description, desc: str) -> str:
    if desc in (description.english, ""):
        return description.japanese
    whole = _shape(desc)
    if whole is not None:
        return whole
    parts = desc.split("; ")
    translated = [_shape(part) for part in parts]
    if all(t is not None for t in translated):
        return "; ".join(t for t in translated if t is not None)
    detail = "; ".join(t if t is not None else part for t, part in zip(translated, parts, strict=True))
    return f"{description.japanese}: {detail}"


def _shape(text: str) -> str | None:
    for pattern, japanese in _COMPILED:
        match = pattern.fullmatch(text)
        if match:
            return japanese.format(**match.groupdict())
    return None
