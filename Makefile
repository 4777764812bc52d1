# The two commands a fresh clone needs: `make html` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONTENT ?= content
OUTPUT ?= output
HOST ?= 127.0.0.1
PORT ?= 8000
PELICANOPTS ?=

.PHONY: html publish serve preview test lint clean

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

html: $(STAMP)
	$(BIN)/pelican $(CONTENT) -s pelicanconf.py -o $(OUTPUT) $(PELICANOPTS)
	@echo "Trang web đã xây dựng trong $(OUTPUT)/. Xem cùng chức năng tìm kiếm: make serve$(if $(filter-out output,$(OUTPUT)), OUTPUT=$(OUTPUT)) (http://$(HOST):$(PORT)/)"

publish: $(STAMP)
	$(BIN)/pelican $(CONTENT) -s publishconf.py -o $(OUTPUT) $(PELICANOPTS)

serve: $(STAMP)
	@test -d $(OUTPUT) || $(MAKE) html
	$(BIN)/python -m portal serve --site $(OUTPUT) --host $(HOST) --port $(PORT)

preview: $(STAMP)
	$(BIN)/python -m portal preview --content $(CONTENT) --output $(OUTPUT) --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(OUTPUT) $(OUTPUT).spare cache
