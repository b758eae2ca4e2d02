"""gaoqi (高企): the platform for Beijing's high-tech enterprise programme."""

__version__ = "0.1.0"
