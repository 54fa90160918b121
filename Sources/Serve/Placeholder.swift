enum ServePlaceholder {}
