"""Writes the largest real pickles the scanning bench measures the analysis bounds against (run with Debian's
/usr/bin/python3: scikit-learn, joblib, torch). usage: make-real-pickles.py <dir>  -- skips existing files.
Only writes data; never loads any pickle.
"""
import os
import pickle
import sys

import joblib
import numpy as np
import torch
from sklearn.ensemble import RandomForestClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline


def write(path, make):
    if os.path.exists(path):
        return
    make(path + ".tmp")
    os.replace(path + ".tmp", path)


def tfidf_pipeline(path):
    """A text classifier whose vocabulary (1-2 grams) has ~1.4M entries: that many memo entries."""
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(200_000)])
    docs = [" ".join(rng.choice(words, 40)) for _ in range(30_000)]
    pipe = Pipeline([("tfidf", TfidfVectorizer(ngram_range=(1, 2))), ("clf", LogisticRegression(max_iter=50))])
    pipe.fit(docs, rng.integers(0, 2, len(docs)))
    with open(path, "wb") as f:
        pickle.dump(pipe, f, protocol=4)


def vocabulary(path):
    with open(path, "wb") as f:
        pickle.dump({f"tok{i}": i for i in range(5_000_000)}, f, protocol=4)


def state_dict(path):
    torch.save({f"layers.{i}.weight": torch.zeros(4) for i in range(200_000)}, path)


def forest(path):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(20_000, 30)), rng.integers(0, 5, 20_000)
    joblib.dump(RandomForestClassifier(n_estimators=100, random_state=0).fit(x, y), path)


if __name__ == "__main__":
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    write(os.path.join(out, "tfidf-pipeline.pkl"), tfidf_pipeline)
    write(os.path.join(out, "vocabulary-5m.pkl"), vocabulary)
    write(os.path.join(out, "state-dict-200k.pt"), state_dict)
    write(os.path.join(out, "random-forest.joblib"), forest)
