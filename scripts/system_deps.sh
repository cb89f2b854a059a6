#!/usr/bin/env bash
# System packages the tests use, installed the way a learner would (Debian/Ubuntu apt):
#   bubblewrap       the batch grader's sandbox (tests/test_grading_*.py)
#   fonts-noto-cjk   a Chinese font for the browser (tests/test_browser.py, crmkit check-env)
#   chromium         the browser driven by tests/test_browser.py
# Installs only when apt-get is available and we are root; otherwise prints a Chinese note and
# carries on (the tests that need a missing package skip and say why). Always exits 0.
# Called by `python course.py test` (and so by `make test` and .ci/run).
set -u

missing=()
command -v bwrap >/dev/null 2>&1 || missing+=(bubblewrap)
if ! command -v fc-list >/dev/null 2>&1; then
    missing+=(fontconfig fonts-noto-cjk)
elif [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    missing+=(fonts-noto-cjk)
fi
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 \
    || missing+=(chromium)

[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "正在安装测试需要的系统软件包：${missing[*]} ……"
    if apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        echo "系统软件包已安装：${missing[*]}"
    else
        echo "注意：未能安装 ${missing[*]}，需要它们的测试将跳过（并说明原因）。" >&2
    fi
else
    echo "注意：本机缺少 ${missing[*]}，需要它们的测试将跳过（并说明原因）。" >&2
    echo "      在 Debian/Ubuntu 上可运行：sudo apt-get install ${missing[*]}" >&2
fi
exit 0
