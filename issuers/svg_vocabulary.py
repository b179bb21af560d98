"""What an uploaded SVG may contain (issuers.svg_sanitiser): the allow-lists.

Static drawing only: shapes, text, paint servers, clipping, masking, filters and inline images.
Left out on purpose: script, foreignObject, a (links), animation (set/animate*/mpath/discard:
SMIL can rewrite an attribute into a link at run time), iframe/embed/object/handler/listener,
cursor, font-face (loads fonts), and every element of another namespace.
"""

ELEMENTS = frozenset(
    """
    svg g defs symbol use title desc switch view style
    path rect circle ellipse line polyline polygon image
    text tspan textPath
    linearGradient radialGradient stop pattern clipPath mask marker
    filter feBlend feColorMatrix feComponentTransfer feComposite feConvolveMatrix
    feDiffuseLighting feDisplacementMap feDistantLight feDropShadow feFlood feFuncA feFuncB
    feFuncG feFuncR feGaussianBlur feImage feMerge feMergeNode feMorphology feOffset
    fePointLight feSpecularLighting feSpotLight feTile feTurbulence
    """.split()
)

# Dropped without complaint: editors' bookkeeping, never rendered.
QUIET_ELEMENTS = frozenset({"metadata"})
QUIET_NAMESPACES = frozenset(
    {
        "http://www.inkscape.org/namespaces/inkscape",
        "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://inkscape.sourceforge.net/DTD/sodipodi-0.dtd",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
        "http://creativecommons.org/ns#",
        "http://web.resource.org/cc/",
        "http://purl.org/dc/elements/1.1/",
        "http://ns.adobe.com/AdobeIllustrator/10.0/",
        "http://ns.adobe.com/AdobeSVGViewerExtensions/3.0/",
        "http://ns.adobe.com/Extensibility/1.0/",
        "http://ns.adobe.com/Graphs/1.0/",
        "http://ns.adobe.com/SaveForWeb/1.0/",
        "http://ns.adobe.com/Variables/1.0/",
        "http://ns.adobe.com/ImageReplacement/1.0/",
        "http://ns.adobe.com/xap/1.0/",
        "http://www.serif.com/",
        "http://www.bohemiancoding.com/sketch/ns",
        "http://openbadges.org",  # an old baked assertion: baking writes a fresh one
        "https://purl.imsglobal.org/ob/v3p0",
    }
)

# href (and xlink:href) is kept only on these, and only as a same-file fragment.
REFERENCE_ELEMENTS = frozenset(
    {"use", "linearGradient", "radialGradient", "pattern", "textPath", "image", "feImage", "filter"}
)
# These may also hold an inline PNG/JPEG/GIF data: URI.
IMAGE_ELEMENTS = frozenset({"image", "feImage"})
URL_ATTRIBUTES = frozenset({"href"})

# Presentation properties: allowed both as attributes and in CSS.
CSS_PROPERTIES = frozenset(
    """
    alignment-baseline baseline-shift clip clip-path clip-rule color color-interpolation
    color-interpolation-filters color-rendering direction display dominant-baseline
    fill fill-opacity fill-rule filter flood-color flood-opacity font font-family font-size
    font-size-adjust font-stretch font-style font-variant font-weight
    image-rendering isolation letter-spacing lighting-color marker marker-end marker-mid
    marker-start mask mask-type mix-blend-mode opacity overflow paint-order pointer-events
    shape-rendering stop-color stop-opacity stroke stroke-dasharray stroke-dashoffset
    stroke-linecap stroke-linejoin stroke-miterlimit stroke-opacity stroke-width
    text-anchor text-decoration text-rendering transform transform-origin transform-box
    unicode-bidi vector-effect visibility word-spacing writing-mode white-space
    enable-background
    """.split()
)

# Names and words: kept as written (they never hold a URL or CSS).
TEXT_ATTRIBUTES = frozenset(
    "id class lang role aria-label aria-labelledby aria-describedby systemLanguage".split()
)

ATTRIBUTES = CSS_PROPERTIES | frozenset(
    """
    tabindex focusable aria-hidden version baseProfile
    x y x1 y1 x2 y2 cx cy r rx ry fx fy fr width height d points
    pathLength viewBox preserveAspectRatio dx dy rotate textLength lengthAdjust startOffset
    method spacing side gradientUnits gradientTransform spreadMethod offset patternUnits
    patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits markerUnits
    markerWidth markerHeight refX refY orient viewTarget zoomAndPan filterUnits primitiveUnits
    in in2 result mode type values operator k1 k2 k3 k4 stdDeviation edgeMode kernelMatrix
    kernelUnitLength order divisor bias targetX targetY preserveAlpha surfaceScale
    diffuseConstant specularConstant specularExponent limitingConeAngle azimuth elevation
    pointsAtX pointsAtY pointsAtZ z scale xChannelSelector yChannelSelector radius
    baseFrequency numOctaves seed stitchTiles tableValues slope intercept amplitude exponent
    requiredExtensions requiredFeatures media
    """.split()
)

# Functions a CSS value may call. url() is further limited to url(#id).
CSS_FUNCTIONS = frozenset(
    """
    url rgb rgba hsl hsla hwb lab lch oklab oklch color calc var min max clamp
    matrix matrix3d translate translatex translatey translate3d scale scalex scaley scale3d
    rotate rotate3d skew skewx skewy perspective
    blur brightness contrast drop-shadow grayscale hue-rotate invert opacity saturate sepia
    rect inset circle ellipse polygon
    """.split()
)
