"""The JupyterLab test (`make lab-test`): a real JupyterLab server driven by headless Chromium."""


def pytest_configure(config):
    config.addinivalue_line("markers", "lab: starts JupyterLab and a browser (make lab-test; not part of make unit)")
