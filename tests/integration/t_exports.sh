#!/bin/bash
# exportd: each format completes and downloads with its sha256 and size;
# PDF text is real and redacted on request; an annotated PDF carries notes
# and tags; email delivery; every failure code; signed links refused when
# tampered or expired; audit entries; kill -9 mid-stream answers each
# export once.
. "$(dirname "$0")/lib.sh"

T=$(new_tenant exp)
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT

msgs=$(jq -nc '[
 {message_id: "x-1", seq: 1, sender: "contact", sender_name: "Zoë Dupré",
  text: "Bonjour, je suis à São Paulo. Write to zoe@example.com please.", sent_at: "2026-11-20T10:00:00Z"},
 {message_id: "x-2", seq: 2, sender: "ai", text: "日本語のテキスト and 中文消息 👍",
  sent_at: "2026-11-20T10:00:30Z", citations: [{title: "Help centre", url: "https://help.example.com/a"}]},
 {message_id: "x-3", seq: 3, sender: "agent", sender_name: "Ann", text: "Refund issued.\nAnything else?",
  sent_at: "2026-11-20T10:01:00Z"}]')
envelope goldilocks.conversation.snapshot "$T" "$(jq -nc --argjson m "$msgs" \
	'{conversation_id: "c-exp", status: "resolved", channel: "email",
	  contact: {id: "ct-1", name: "Zoë Dupré"}, tags: ["refund"], messages: $m}')" | produce conversations
wait_until 20 q "$CTL" inspect conversation c-exp --tenant "$T"

# export ID DATA-JQ: produce an export request (data from c-exp + JQ).
export_req() {
	envelope goldilocks.export.requested "$T" "$(jq -nc '{conversation_id: "c-exp",
		requested_by: {user_id: "u-exp", role: "agent"}}' | jq -c "$2")" "$1" |
		produce export-requests
}
# download URL FILE: fetch, print the status.
download() { curl -s -o "$2" -D "$2.h" -w '%{http_code}' "$1"; }

# --- Each format. -------------------------------------------------------------
bytes0=$(metric "$EXPORTD_METRICS_URL" export_bytes_total)
bytes_sum=0
for fmt in txt json pdf; do
	id=$(new_id)
	export_req "$id" ".format = \"$fmt\" | .include = {source_citations: true}"
	r=$(wait_reply "$id" 30)
	check_eq "$fmt: export.completed" "$(jq -r .ev.type <<< "$r")" goldilocks.export.completed
	check_eq "$fmt: format in the reply" "$(jq -r .ev.data.format <<< "$r")" "$fmt"
	url=$(jq -r .ev.data.download_url <<< "$r")
	check "$fmt: download_url is a signed gateway URL" grep -qE "^$PUBLIC_BASE_URL/exports/[0-9a-f-]{36}\?exp=[0-9]+&sig=[A-Za-z0-9_-]{43}$" <<< "$url"
	check "$fmt: expires_at in the future" [ "$(date -d "$(jq -r .ev.data.expires_at <<< "$r")" +%s)" -gt "$(date +%s)" ]
	check_eq "$fmt: download answers 200" "$(download "$url" "$DIR/$fmt")" 200
	check_eq "$fmt: size matches" "$(stat -c %s "$DIR/$fmt")" "$(jq -r .ev.data.bytes <<< "$r")"
	bytes_sum=$((bytes_sum + $(jq -r .ev.data.bytes <<< "$r")))
	check_eq "$fmt: sha256 matches" "$(sha256sum "$DIR/$fmt" | cut -d' ' -f1)" "$(jq -r .ev.data.sha256 <<< "$r")"
	check "$fmt: Content-Disposition names the file" grep -qi "^Content-Disposition: attachment; filename=\"conversation-c-exp.$fmt\"" "$DIR/$fmt.h"
	eval "URL_$fmt=\$url"
	eval "ID_$fmt=\$(jq -r .ev.data.export_id <<< \"\$r\")"
done
check_eq "export_bytes_total grew by the bytes of the three exports" \
	"$(($(metric "$EXPORTD_METRICS_URL" export_bytes_total) - ${bytes0:-0}))" "$bytes_sum"
check "txt: Content-Type" grep -qi '^Content-Type: text/plain; charset=utf-8' "$DIR/txt.h"
check "pdf: Content-Type" grep -qi '^Content-Type: application/pdf' "$DIR/pdf.h"
check "pdf: the downloaded PDF (with citation links) passes qpdf --check" \
	qpdf --check "$DIR/pdf"
check "json: Content-Type" grep -qi '^Content-Type: application/json' "$DIR/json.h"
check "txt: header names the conversation" grep -q '^Conversation c-exp$' "$DIR/txt"
check "txt: a block per message with its label" grep -q '^#3  2026-11-20T10:01:00Z  Agent (Ann)' "$DIR/txt"
check "txt: UTF-8 kept" grep -qF '日本語のテキスト' "$DIR/txt"
check_eq "json: schema version and messages" "$(jq -c '[.schema, (.messages | length), .conversation.conversation_id]' "$DIR/json")" '[1,3,"c-exp"]'
pdftotext -enc UTF-8 "$DIR/pdf" "$DIR/pdf.txt"
check "pdf: real text (diacritics)" grep -qF 'São Paulo' "$DIR/pdf.txt"
check "pdf: real text (CJK)" grep -qF '日本語のテキスト' "$DIR/pdf.txt"
check "pdf: the email is there without redaction" grep -qF 'zoe@example.com' "$DIR/pdf.txt"
check "pdf: the citation is a link" grep -qaF 'https://help.example.com/a' "$DIR/pdf"

# --- Redaction and annotation. ----------------------------------------------------
id=$(new_id)
export_req "$id" '.format = "pdf" | .redact = {pii: true}'
url=$(wait_reply "$id" 30 | jq -r .ev.data.download_url)
download "$url" "$DIR/red.pdf" >/dev/null
check "red.pdf passes qpdf --check" qpdf --check "$DIR/red.pdf"
pdftotext -enc UTF-8 "$DIR/red.pdf" "$DIR/red.txt"
check "pdf with redaction: the email is gone" sh -c "! grep -q 'zoe@example.com' '$DIR/red.txt'"
check "pdf with redaction: [REDACTED] instead" grep -qF '[REDACTED]' "$DIR/red.txt"

sid=$(new_id)
share_request "$T" c-exp '.requested_by.role = "admin" | .permission = "edit" | .context = {reason: "Training: a clean refund", focus: {from_seq: 2, to_seq: 3}}' "$sid" | produce share-requests
r=$(wait_reply "$sid")
SHARE=$(jq -r .ev.data.share_id <<< "$r")
TOK=$(jq -r .ev.data.url <<< "$r" | sed 's|.*/s/||')
admin=$("$CTL" token --tenant "$T" --role admin --sub u-admin)
curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
	-d '{"text":"Great tone in message 3","message_id":"x-3"}' "$GATEWAY_URL/api/v1/shares/$TOK/notes"
curl -s -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
	-d '{"tags":["good-example"]}' "$GATEWAY_URL/api/v1/shares/$TOK/tags"
id=$(new_id)
envelope goldilocks.export.requested "$T" "$(jq -nc --arg s "$SHARE" '{share_id: $s, format: "pdf", annotated: true,
	requested_by: {user_id: "u-exp", role: "agent"}}')" "$id" | produce export-requests
r=$(wait_reply "$id" 30)
check_eq "annotated share export completes" "$(jq -r .ev.type <<< "$r")" goldilocks.export.completed
download "$(jq -r .ev.data.download_url <<< "$r")" "$DIR/ann.pdf" >/dev/null
check "ann.pdf passes qpdf --check" qpdf --check "$DIR/ann.pdf"
pdftotext -enc UTF-8 "$DIR/ann.pdf" "$DIR/ann.txt"
check "annotated pdf: the note" grep -qF 'Great tone in message 3' "$DIR/ann.txt"
check "annotated pdf: the review tag" grep -qF 'good-example' "$DIR/ann.txt"
check "annotated pdf: the context" grep -qF 'Training: a clean refund' "$DIR/ann.txt"
check "plain pdf has no note" sh -c "! grep -qF 'Great tone' '$DIR/pdf.txt'"
id=$(new_id)
export_req "$id" '.format = "json" | .annotated = true'
download "$(wait_reply "$id" 30 | jq -r .ev.data.download_url)" "$DIR/ann.json" >/dev/null
check_eq "annotated conversation export: notes and review tags of its links" \
	"$(jq -c '[[.notes[].text], .review_tags]' "$DIR/ann.json")" '[["Great tone in message 3"],["good-example"]]'

# --- Email delivery. ------------------------------------------------------------
id=$(new_id)
export_req "$id" '.format = "txt" | .message = "For the <b>training</b> deck" | .delivery = {method: "email", to: [{email: "trainer@example.com"}]}'
r=$(wait_reply "$id" 30)
mail=$(replies_to "$id" | jq -c 'select(.ev.type == "goldilocks.email.requested")')
check_eq "email: one request to the recipients" "$(jq -c .ev.data.to <<< "$mail")" '["trainer@example.com"]'
check_eq "email: the attachment" "$(jq -c '.ev.data.attachments[0] | [.filename, .content_type, .bytes, .sha256, .url]' <<< "$mail")" \
	"$(jq -c '.ev.data | ["conversation-c-exp.txt", "text/plain; charset=utf-8", .bytes, .sha256, .download_url]' <<< "$r")"
check "email: text carries the message and the link" sh -c "jq -r .ev.data.text <<'E' | grep -qF 'For the <b>training</b> deck'
$mail
E"
check "email: html escapes the message" grep -qF 'For the &lt;b&gt;training&lt;/b&gt; deck' <<< "$(jq -r .ev.data.html <<< "$mail")"

# --- Failure codes. -------------------------------------------------------------
fail_code() { jq -r '[.ev.type, .ev.data.code] | join(" ")' <<< "$(wait_reply "$1" 30)"; }
id=$(new_id); export_req "$id" '.format = "docx"'
check_eq "unknown format: invalid_request" "$(fail_code "$id")" "goldilocks.export.failed invalid_request"
id=$(new_id); export_req "$id" '.format = "txt" | .conversation_id = "c-none"'
check_eq "unknown conversation: unknown_conversation" "$(fail_code "$id")" "goldilocks.export.failed unknown_conversation"
id=$(new_id)
envelope goldilocks.export.requested "$T" '{"share_id":"00000000-0000-4000-8000-000000000000","format":"txt","requested_by":{"user_id":"u","role":"agent"}}' "$id" | produce export-requests
check_eq "unknown share: unknown_share" "$(fail_code "$id")" "goldilocks.export.failed unknown_share"
id=$(new_id); export_req "$id" '.format = "txt" | .requested_by.role = "viewer"'
check_eq "viewer: forbidden" "$(fail_code "$id")" "goldilocks.export.failed forbidden"
big=$(head -c 60000 /dev/zero | tr '\0' 'x')
for i in $(seq 1 40); do
	envelope goldilocks.conversation.message_added "$T" "$(jq -nc --arg t "$big" --argjson i "$i" \
		'{conversation_id: "c-big", message: {message_id: "b-\($i)", seq: $i, sender: "contact", text: $t, sent_at: "2026-11-20T10:00:00Z"}}')"
done | produce conversations
wait_until 30 sh -c "[ \"\$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM messages WHERE tenant_id = '$T' AND conversation_id = 'c-big'\")\" = 40 ]"
id=$(new_id); export_req "$id" '.format = "txt" | .conversation_id = "c-big"'
check_eq "over EXPORT_MAX_BYTES: too_large" "$(fail_code "$id")" "goldilocks.export.failed too_large"
check_eq "no export stored for failures" "$(sql "SELECT count(*) FROM exports WHERE tenant_id = '$T' AND conversation_id IN ('c-big', 'c-none')")" 0

# --- Signed links. --------------------------------------------------------------
s=${URL_txt##*sig=}
if [ "${s:0:1}" = A ]; then n=B; else n=A; fi
tampered="${URL_txt%sig=*}sig=$n${s:1}"
check_eq "tampered signature: 403" "$(download "$tampered" "$DIR/t")" 403
later=$(sed -E 's/exp=([0-9]+)/exp=\10/' <<< "$URL_txt")
check_eq "a later exp with the old signature: 403" "$(download "$later" "$DIR/t")" 403
check_eq "no signature: 403" "$(download "${URL_txt%%\?*}" "$DIR/t")" 403
past=$(($(date +%s) - 60))
sig=$(printf '%s.%s' "$ID_txt" "$past" | openssl dgst -sha256 -hmac "$EXPORT_SIGNING_KEY" -binary | base64 | tr '+/' '-_' | tr -d '=\n')
check_eq "a genuine signature past exp: 410" "$(download "$PUBLIC_BASE_URL/exports/$ID_txt?exp=$past&sig=$sig" "$DIR/t")" 410
future=$(($(date +%s) + 600))
sig=$(printf '%s.%s' "$ID_txt" "$future" | openssl dgst -sha256 -hmac "$EXPORT_SIGNING_KEY" -binary | base64 | tr '+/' '-_' | tr -d '=\n')
check_eq "the signature is HMAC-SHA256 of {id}.{exp} (SPEC §5)" "$(download "$PUBLIC_BASE_URL/exports/$ID_txt?exp=$future&sig=$sig" "$DIR/t")" 200

# --- Audit trail. ----------------------------------------------------------------
check_eq "each export is audited" "$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T' AND type = 'goldilocks.export.completed' AND export_id = '$ID_pdf'")" 1
check "each download is audited" wait_until 15 sh -c "[ \"\$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM audit_events WHERE tenant_id = '$T' AND type = 'goldilocks.export.downloaded' AND export_id = '$ID_pdf' AND status = 200\")\" -ge 1 ]"
check "failed exports are audited" [ "$(sql "SELECT count(*) FROM audit_events WHERE tenant_id = '$T' AND type = 'goldilocks.export.failed'")" -ge 5 ]

# --- kill -9 in the middle of 300 exports. -----------------------------------------
T2=$(new_tenant expkill)
N=300
for c in $(seq 0 4); do snapshot "$T2" "k-$c" 5; done | produce conversations
wait_until 20 sh -c "[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM conversations WHERE tenant_id = '$T2'\") -eq 5 ]"
jq -nc --arg t "$T2" --argjson n $N 'range(0; $n) as $i | {
	specversion: "1.0", id: "exp-ev-\($i)", source: "/tests/exports",
	type: "goldilocks.export.requested", time: "2026-11-20T10:03:00Z",
	tenantid: $t, data: {conversation_id: "k-\($i % 5)",
	format: (["txt", "json", "pdf"][$i % 3]),
	requested_by: {user_id: "u-k", role: "agent"}}}' > "$DIR/exports"
stored() { sql "SELECT count(*) FROM exports WHERE tenant_id = '$T2'"; }
# An export whose link expired an hour ago: the restarted exportd deletes it.
sql "INSERT INTO exports (tenant_id, export_id, conversation_id, format, annotated, requested_by, filename, content_type, bytes, sha256, content, expires_at) VALUES ('$T', '$(new_id)', 'c-exp', 'txt', false, 'u', 'old.txt', 'text/plain', 3, repeat('0', 64), 'old', now() - interval '1 hour')"
old_pid=$(cat "$RUN_DIR/exportd.pid")
produce export-requests "$DIR/exports"
check "some exports exist before the kill" wait_until 60 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM exports WHERE tenant_id = '$T2'\") -gt 0 ]"
at_kill=$(stored)
kill -9 "$old_pid"
ok "exportd killed with -9 after $at_kill of $N exports"
"$STACK" up >/dev/null 2>&1
check "restarted" [ "$(cat "$RUN_DIR/exportd.pid")" != "$old_pid" ]
check "expired exports are deleted" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM exports WHERE filename = 'old.txt' AND tenant_id = '$T'\") -eq 0 ]"
check "exports_pruned_total counts the deletion" \
	[ "$(metric "$EXPORTD_METRICS_URL" exports_pruned_total)" -ge 1 ]
check "every export is stored" wait_until 180 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc \"SELECT count(*) FROM exports WHERE tenant_id = '$T2'\") -ge $N ]"
check_eq "each export stored once" "$(stored)" $N
check "the outbox drains" wait_until 30 sh -c \
	"[ \$(psql '$DATABASE_URL' -Atqc 'SELECT count(*) FROM outbox') -eq 0 ]"
replies_all | jq -c --arg t "$T2" 'select(.ev.tenantid == $t and .ev.type == "goldilocks.export.completed")' > "$DIR/replies"
check_eq "each export completed once (one reply id per request)" \
	"$(jq -r .ev.id "$DIR/replies" | sort -u | wc -l) $(jq -r .ev.correlationid "$DIR/replies" | sort -u | wc -l)" "$N $N"
check_eq "replies name the stored exports" \
	"$(jq -r .ev.data.export_id "$DIR/replies" | sort -u | wc -l)" $N

done_testing
