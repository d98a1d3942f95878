"""spaces.nb201"""
