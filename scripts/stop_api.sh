#!/usr/bin/env bash
# stop the background voxhub service (settings from VOXHUB_* or the GLM-TTS variable names)
set -euo pipefail
exec voxhub stop "$@"
