#!/usr/bin/env bash
# status the background voxhub service (settings from VOXHUB_* or the GLM-TTS variable names)
set -euo pipefail
exec voxhub status "$@"
