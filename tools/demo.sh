#!/bin/sh
# Start a working estd demo on this machine: install what is missing,
# build, create a demo configuration and database under ./demo (three
# areas, a few people), print their personal links and run estd in the
# foreground on 127.0.0.1:8080. Mail is written to demo/outbox as .eml
# files. Ctrl-C stops it; run again to continue with the same data.
#
# Environment: DEMO_DIR (default ./demo), DEMO_LISTEN (127.0.0.1:8080).
set -eu
cd "$(dirname "$0")/.."
sh tools/deps.sh
make -s all

dir=${DEMO_DIR:-demo}
listen=${DEMO_LISTEN:-127.0.0.1:8080}
top=$(pwd)
mkdir -p "$dir"
conf="$dir/estd.conf"
links="$dir/links.txt"

if [ ! -f "$conf" ]; then
	cat >"$conf" <<CONF
; estd demo configuration (see config/estd.conf.sample for every key)
[server]
listen = $listen
base_url = http://$listen
templates = $top/reporter-form

[storage]
database = estd.db

[periods]
cadence = weekly
timezone = Europe/Stockholm

[smtp]
host =
spool = outbox

[checklist]
file = $top/config/checklist.ini
CONF
fi

estctl() { build/estctl -c "$conf" "$@"; }

if [ ! -f "$links" ]; then
	estctl init
	estctl area add centrum "Centrum"
	estctl area add norr "Norra Stationsområdet"
	estctl area add soder "Söder"
	: >"$links.tmp"
	add() {
		label=$1; shift
		link=$(estctl person add "$@" | tail -n 1)
		printf '%s\n    %s\n' "$label" "$link" >>"$links.tmp"
	}
	add "Anna Berg, rapportör (Centrum, Norr)" --name "Anna Berg" \
	    --email anna.berg@bostadsbolaget.example --org Bostadsbolaget \
	    --role reporter --area centrum --area norr
	add "Omar Said, rapportör (Söder)" --name "Omar Said" \
	    --email omar.said@fritid.example --org "Fritidsförvaltningen" \
	    --role reporter --area soder
	add "Karin Lund, rapportör (Centrum)" --name "Karin Lund" \
	    --email karin.lund@securitas.example --org "Väktarbolaget" \
	    --role reporter --area centrum
	add "Lena Ek, trygghetssamordnare (alla)" --name "Lena Ek" \
	    --email lena.ek@kommun.example --org Kommunen \
	    --role keyfunction --all-areas
	add "Per Holm, kommunpolis (Centrum, Söder)" --name "Per Holm" \
	    --email per.holm@polisen.example --org Polisen \
	    --role keyfunction --area centrum --area soder
	add "Sara Nord, styrgrupp" --name "Sara Nord" \
	    --email sara.nord@kommun.example --org Kommunen \
	    --role steering --all-areas
	mv "$links.tmp" "$links"
fi

echo
echo "estd demo: personal links (also in $links)"
echo
cat "$links"
echo
echo "Mail is written to $dir/outbox. Stop with Ctrl-C."
echo
exec build/estd -c "$conf"
