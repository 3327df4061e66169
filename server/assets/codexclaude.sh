#!/bin/sh
# codexclaude: points Claude Code and Codex CLI at __SITE_URL__.
#
# It asks for your API token instead of taking it as an argument, so the token stays out of
# your shell history and out of any URL. It writes:
#   ~/.config/codexapi/env   the variables both CLIs read (readable only by you)
#   ~/.codex/config.toml     a "codexapi" provider for Codex CLI (the old file is kept as .bak)
# and adds one line to ~/.bashrc and ~/.zshrc (when they exist) that loads the env file.
# Running it again replaces the token and changes nothing else.
set -eu

SITE_URL='__SITE_URL__'
CONFIG_DIR="${XDG_CONFIG_HOME:-$HOME/.config}/codexapi"
CODEX_DIR="${CODEX_HOME:-$HOME/.codex}"

printf 'API token for %s (typing is hidden): ' "$SITE_URL"
if [ -t 0 ]; then
  stty -echo
  trap 'stty echo' EXIT
fi
IFS= read -r TOKEN || true
if [ -t 0 ]; then
  stty echo
fi
printf '\n'
case "$TOKEN" in
  cdx_*_*) ;;
  *)
    echo "That is not an API token from $SITE_URL (tokens start with cdx_). Create one on the API tokens page." >&2
    exit 1
    ;;
esac
case "$TOKEN" in
  *[!A-Za-z0-9_-]*)
    echo "The token has unexpected characters; copy it again from the page that showed it." >&2
    exit 1
    ;;
esac

umask 077
mkdir -p "$CONFIG_DIR"
cat > "$CONFIG_DIR/env" <<ENV
# Written by codexclaude for $SITE_URL.
export ANTHROPIC_BASE_URL='$SITE_URL'
export ANTHROPIC_API_KEY='$TOKEN'
# Keeps Claude Code from sending the token anywhere but $SITE_URL.
export CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC=1
export CODEXAPI_API_KEY='$TOKEN'
ENV
chmod 600 "$CONFIG_DIR/env"

mkdir -p "$CODEX_DIR"
CODEX_CONFIG="$CODEX_DIR/config.toml"
if ! grep -q '^\[model_providers\.codexapi\]' "$CODEX_CONFIG" 2>/dev/null; then
  if [ -f "$CODEX_CONFIG" ]; then
    cp "$CODEX_CONFIG" "$CODEX_CONFIG.bak"
    # A top-level key must come before every table: rewrite it at the top.
    grep -v '^model_provider *=' "$CODEX_CONFIG.bak" > "$CODEX_CONFIG.rest" || true
  else
    : > "$CODEX_CONFIG.rest"
  fi
  {
    echo 'model_provider = "codexapi"'
    cat "$CODEX_CONFIG.rest"
    echo
    echo '[model_providers.codexapi]'
    echo 'name = "CodexAPI"'
    echo "base_url = \"$SITE_URL/v1\""
    echo 'env_key = "CODEXAPI_API_KEY"'
    echo 'wire_api = "responses"'
  } > "$CODEX_CONFIG"
  rm -f "$CODEX_CONFIG.rest"
fi

LOAD_LINE="[ -f \"$CONFIG_DIR/env\" ] && . \"$CONFIG_DIR/env\""
for RC in "$HOME/.bashrc" "$HOME/.zshrc"; do
  if [ -f "$RC" ] && ! grep -qF "$CONFIG_DIR/env" "$RC"; then
    printf '\n# CodexAPI (codexclaude)\n%s\n' "$LOAD_LINE" >> "$RC"
  fi
done

echo "Done. Open a new terminal (or run: . \"$CONFIG_DIR/env\"), then run claude or codex."
