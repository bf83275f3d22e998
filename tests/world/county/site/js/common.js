function doZoom(s){var e=document.getElementById('zoom');if(e){e.style.fontSize=s+'px';}}
