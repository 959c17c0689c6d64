"""A function reading `scipy.stats` as ``from scipy import stats`` (for
tests/test_review_session37.py): its rule reads `scipy.special`, which this module does not
import under that name."""
import numpy as np
from scipy import stats


def t_loglik(loc, data):
    return np.sum(stats.t.logpdf(data, 4.0, loc, 1.0))
