#!/bin/bash
# Redaction covers every field a recipient can see (SPEC §4): PII planted
# in sender names, citations, the contact block, the context and tags of
# a conversation shared by an external link is in none of the page, the
# JSON view, the TXT, JSON and PDF exports of the link, or the email to
# its recipients; nor, in an export with redaction, are a note's author
# and text or the note of the email that delivers the export; a team
# link or an export without redaction shows it (so the checks cannot
# pass by showing nothing).
. "$(dirname "$0")/lib.sh"

T=$(new_tenant visible)
C=c-visible
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
MAIL=ana.planted@example.org
CARD="4111 1111 1111 1111"
CARD_RE="4111.1111.1111.1111"
# Who shares or exports, when a user id is an e-mail address.
SHARER=sharer.planted@example.org

envelope goldilocks.conversation.snapshot "$T" "$(jq -nc --arg m "$MAIL" \
	--arg c "$CARD" '{conversation_id: "c-visible", status: "open",
	channel: "chat", contact: {id: $m, name: "Ana \($c)", email: $m},
	tags: ["vip \($m)"], messages: [
	{message_id: "m-1", seq: 1, sender: "contact", sender_name: "Ana \($m)",
	 text: "hello", sent_at: "2026-11-20T10:00:00Z"},
	{message_id: "m-2", seq: 2, sender: "ai", sender_name: "Bot \($m)",
	 text: "see this", sent_at: "2026-11-20T10:01:00Z",
	 citations: [{title: "Card \($c)", url: "https://kb.example.com/x?u=\($m)",
	   internal_score: "do-not-show-this"}]}]}')" | produce conversations
wait_until 20 q "$CTL" inspect conversation "$C" --tenant "$T"

# share AUDIENCE ID JQ: a link on the conversation; prints the reply.
share() {
	share_request "$T" "$C" "$3 | .include = {contact_identifier: true,
		signal_tags: true, source_citations: true}
		| .context = {reason: \"card $CARD\", action: \"mail $MAIL\"}
		| .recipients = [{email: \"someone@example.com\"}]
		| .requested_by.user_id = \"$SHARER\"" "$2" |
		produce share-requests
	wait_reply "$2" 20
}
EXT=$(new_id)
ext=$(share external "$EXT" '.audience = "external" | .expires_in_seconds = 3600')
TEAM=$(new_id)
team=$(share team "$TEAM" '.permission = "comment"')
ext_url=$(jq -r .ev.data.url <<< "$ext")
check "an external link" [ "$(jq -r .ev.type <<< "$ext")" = goldilocks.share.created ]

# shows_all FILE: FILE shows the planted values.
shows_all() {
	grep -q "$MAIL" "$1" && grep -qE "$CARD_RE" "$1"
}
token() { echo "${1##*/}"; }

curl -s "$ext_url" > "$DIR/ext.html"
check "the page of the external link shows the conversation" q grep -q "see this" "$DIR/ext.html"
check "the page shows no planted PII" q bash -c "! grep -qiE '$MAIL|$CARD_RE|do-not-show-this' '$DIR/ext.html'"
curl -s "$GATEWAY_URL/api/v1/shares/$(token "$ext_url")" > "$DIR/ext.json"
check "the JSON view has the messages" q jq -e '.messages | length == 2' "$DIR/ext.json"
check "the JSON view shows no planted PII" q bash -c "! grep -qiE '$MAIL|$CARD_RE|do-not-show-this' '$DIR/ext.json'"
check "a citation keeps only title and URL" \
	q jq -e '.messages[1].citations[0] | keys == ["title", "url"]' "$DIR/ext.json"

SHARE=$(jq -r .ev.data.share_id <<< "$ext")
for fmt in txt json pdf; do
	id=$(new_id)
	envelope goldilocks.export.requested "$T" "$(jq -nc --arg s "$SHARE" \
		--arg f "$fmt" '{share_id: $s, format: $f, requested_by:
		{user_id: "u-1", role: "agent"}}')" "$id" | produce export-requests
	url=$(wait_reply "$id" 90 | jq -r .ev.data.download_url)
	check_eq "$fmt export of the external link is downloaded" \
		"$(curl -s -o "$DIR/export.$fmt" -w '%{http_code}' "$url")" 200
	f=$DIR/export.$fmt
	if [ "$fmt" = pdf ]; then
		pdftotext "$f" "$DIR/export.pdf.txt" 2>/dev/null
		f=$DIR/export.pdf.txt
	fi
	check "$fmt export of the external link has the messages" q grep -q "see this" "$f"
	check "$fmt export shows no planted PII" q bash -c "! grep -qiE '$MAIL|$CARD_RE|do-not-show-this' '$f'"
done

# A note on the team link by a user whose id is an e-mail address, then
# an annotated export of the conversation, delivered by email with a note
# of its own: with redaction on, neither shows; without, both do.
AUTHOR=author.planted@example.org
team_url=$(jq -r .ev.data.url <<< "$team")
sess=$("$CTL" token --tenant "$T" --role agent --sub "$AUTHOR")
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $sess" \
	-H 'Content-Type: application/json' \
	-d "{\"text\":\"call $CARD\",\"message_id\":\"m-2\"}" \
	"$GATEWAY_URL/api/v1/shares/$(token "$team_url")/notes")
check_eq "a note on the team link" "$code" 201
curl -s -H "Authorization: Bearer $sess" \
	"$GATEWAY_URL/api/v1/shares/$(token "$team_url")" > "$DIR/team.json"
check "the team link's JSON view shows what was planted" q shows_all "$DIR/team.json"
check "even there a citation keeps only title and URL" \
	q jq -e '.messages[1].citations[0] | keys == ["title", "url"]' "$DIR/team.json"
# conv_export ID PII: an annotated TXT export of the conversation mailed
# with a note holding PII, redact.pii set to PII; saves the file and the
# email request under $DIR/conv-ID.
conv_export() {
	envelope goldilocks.export.requested "$T" "$(jq -nc --arg m "$MAIL" \
		--argjson p "$2" '{conversation_id: "c-visible", format: "txt",
		annotated: true, message: "for \($m)", redact: {pii: $p},
		delivery: {method: "email", to: [{email: "trainer@example.com"}]},
		requested_by: {user_id: "sharer.planted@example.org",
		role: "agent"}}')" "$1" |
		produce export-requests
	curl -s -o "$DIR/conv-$1.txt" \
		"$(wait_reply "$1" 30 | jq -r .ev.data.download_url)"
	replies_to "$1" | jq -c 'select(.ev.type == "goldilocks.email.requested")' \
		> "$DIR/conv-$1.mail"
}
RED=$(new_id)
conv_export "$RED" true
check "the redacted export has the note" q grep -q "call \[REDACTED\]" "$DIR/conv-$RED.txt"
check "the redacted export shows no author or card" q bash -c "! grep -qiE '$AUTHOR|$CARD_RE' '$DIR/conv-$RED.txt'"
check "its email was requested" [ -s "$DIR/conv-$RED.mail" ]
check "its email shows no planted PII, nor who asked" q bash -c "! grep -qiE '$MAIL|$AUTHOR|$CARD_RE|$SHARER' '$DIR/conv-$RED.mail'"
PLAIN=$(new_id)
conv_export "$PLAIN" false
check "an export without redaction shows the author and the card" \
	q bash -c "grep -q '$AUTHOR' '$DIR/conv-$PLAIN.txt' && grep -qE '$CARD_RE' '$DIR/conv-$PLAIN.txt'"
check "its email carries the note as written" q grep -q "$MAIL" "$DIR/conv-$PLAIN.mail"
check "and who asked" q grep -q "$SHARER" "$DIR/conv-$PLAIN.mail"

# A conversation whose id is an e-mail address: a redacted export's file
# name, the email's subject and attachment, and the download's
# Content-Disposition do not show it.
PC="c-$MAIL"
envelope goldilocks.conversation.snapshot "$T" "$(jq -nc --arg c "$PC" \
	'{conversation_id: $c, status: "open", messages: [{message_id: "m-1",
	seq: 1, sender: "contact", text: "hi", sent_at: "2026-11-20T10:00:00Z"}]}')" |
	produce conversations
wait_until 20 q "$CTL" inspect conversation "$PC" --tenant "$T"
ID=$(new_id)
envelope goldilocks.export.requested "$T" "$(jq -nc --arg c "$PC" \
	'{conversation_id: $c, format: "txt", redact: {pii: true},
	delivery: {method: "email", to: [{email: "trainer@example.com"}]},
	requested_by: {user_id: "u-1", role: "agent"}}')" "$ID" |
	produce export-requests
url=$(wait_reply "$ID" 30 | jq -r .ev.data.download_url)
curl -s -D "$DIR/pc.headers" -o /dev/null "$url"
replies_to "$ID" | jq -c 'select(.ev.type == "goldilocks.email.requested")' > "$DIR/pc.mail"
check "the export of that conversation is mailed" [ -s "$DIR/pc.mail" ]
check "its file name is redacted" q jq -e '.ev.data.attachments[0].filename
	| test("REDACTED") and (test("planted") | not)' "$DIR/pc.mail"
# (the envelope's key and subject stay the conversation's id: the
# platform's mailer routes by them; the recipient sees only the data)
check "the email shows no conversation id with PII" q bash -c "! jq -c .ev.data '$DIR/pc.mail' | grep -qi planted"
check "nor does the download's file name" q bash -c "grep -qi '^content-disposition:.*REDACTED' '$DIR/pc.headers' && ! grep -qi planted '$DIR/pc.headers'"

email() {
	replies_to "$1" | jq -c 'select(.ev.type == "goldilocks.email.requested")' |
		head -1
}
email "$EXT" > "$DIR/ext.mail"
check "the external link's email was requested" [ -s "$DIR/ext.mail" ]
check "its email shows no planted PII, nor who shared" q bash -c "! grep -qiE '$MAIL|$CARD_RE|$SHARER' '$DIR/ext.mail'"

# The team link without redaction: everything planted is there.
email "$TEAM" > "$DIR/team.mail"
check "the team link's email says what was planted" q shows_all "$DIR/team.mail"
check "and who shared it" q grep -q "$SHARER" "$DIR/team.mail"

done_testing
