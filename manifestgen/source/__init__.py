"""Reading inputs: discovery of spec files, the input limits, the line-preserving loader.

Import from the modules (`source.loader`, `source.discover`, `source.limits`): this
package imports nothing itself, so `verify`, which needs only the limits, does not pay
for ruamel.
"""
