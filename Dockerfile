# The course as a container image: the student edition, a Chinese JupyterLab, Chinese fonts.
#
#   docker build -t crmkit-course .               # in the repository root
#   docker run --rm -p 8888:8888 crmkit-course    # open the http://127.0.0.1:8888/lab?token=… link
#
# It is also a single-user image for JupyterHub (Zero to JupyterHub on Kubernetes): it runs as
# the unprivileged user jovyan (uid 1000) and contains jupyterhub-singleuser and nbgitpuller.
# Match JUPYTERHUB_VERSION to the hub's major version. See docs/jupyterhub.md.

# ---- stage 1: the student edition (crmkit release: no solutions, no instructor files) ---------
FROM python:3.12-slim AS edition
WORKDIR /src
COPY . .
RUN pip install --no-cache-dir -e . \
 && python -m crmkit.cli release --out /edition --no-zip

# ---- stage 2: what learners run ---------------------------------------------------------------
FROM python:3.12-slim
ARG JUPYTERHUB_VERSION=5.*
# CRMKIT_DATA: checks read the pristine course shop here, whatever learners do to their copy.
ENV LANG=C.UTF-8 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CRMKIT_DATA=/opt/crmkit-course/datasets

# fonts-noto-cjk: Chinese in the browser and in charts; git: nbgitpuller; tini: signal handling.
RUN apt-get update \
 && apt-get install -y --no-install-recommends fonts-noto-cjk fontconfig git tini \
 && rm -rf /var/lib/apt/lists/*

COPY --from=edition /edition /opt/crmkit-course
# A wheel install also puts crmkit's JupyterLab default (Chinese UI) into
# /usr/local/share/jupyter/lab/settings/overrides.d/; learners' own settings still win.
RUN pip install /opt/crmkit-course "jupyterhub==${JUPYTERHUB_VERSION}" nbgitpuller \
 && test -f /usr/local/share/jupyter/lab/settings/overrides.d/crmkit.json \
 && python -m crmkit.cli check-env --failures-only

RUN useradd --create-home --uid 1000 --shell /bin/bash jovyan \
 && cp -r /opt/crmkit-course /home/jovyan/course \
 && chown -R jovyan:jovyan /home/jovyan/course
USER jovyan
WORKDIR /home/jovyan/course
EXPOSE 8888
ENTRYPOINT ["tini", "--"]
CMD ["jupyter", "lab", "--ip=0.0.0.0", "--port=8888", "--no-browser", "notebooks/00_start_here.ipynb"]
