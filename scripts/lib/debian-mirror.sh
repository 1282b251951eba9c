# Sourced by the scripts that fetch Debian trixie packages with a private apt configuration
# (check-torch2-headers.sh, test-torch2.sh): the Debian mirror this machine's apt sources use.
# Prints it, or says on standard error what to set and returns 1.
debian_mirror() {
  if [[ -n ${POLYGLOT_DEBIAN_MIRROR:-} ]]; then echo "$POLYGLOT_DEBIAN_MIRROR"; return; fi
  local uri
  # deb822 sources (Debian 12's default), then one-line sources; the security archive has no trixie
  # main suite, so only a /debian mirror counts.
  uri=$(awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' /etc/apt/sources.list.d/*.sources 2>/dev/null \
        | grep '/debian/\?$' | head -n1 || true)
  if [[ -z $uri ]]; then
    uri=$(awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z+]+:\/\//) {print $i; break}}' \
            /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | grep '/debian/\?$' | head -n1 || true)
  fi
  if [[ -z $uri ]]; then
    echo "no Debian mirror in /etc/apt/sources.list{,.d}; set POLYGLOT_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)" >&2
    return 1
  fi
  echo "$uri"
}
